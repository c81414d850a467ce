#!/bin/sh
# Runs one test program with a /tmp of its own: a tmpfs in a private mount namespace, gone when
# the program ends, so nothing a test (or a server it starts) writes under /tmp outlives it.
# ctest runs every GoogleTest binary through it (CMakeLists.txt, attest_test). Where mount
# namespaces are not allowed (not root, or a container that forbids them) it runs the program
# as it is, on the shared /tmp (so too if the mount is refused); the tests then remove what they
# made themselves.
if [ -z "$ATTEST_PRIVATE_TMP" ] && [ "$(id -u)" = 0 ] && command -v unshare > /dev/null 2>&1 &&
  unshare --mount --propagation private true 2> /dev/null; then
  export ATTEST_PRIVATE_TMP=1
  exec unshare --mount --propagation private sh -c \
    'mount -t tmpfs -o mode=1777 attest-test-tmp /tmp 2> /dev/null; exec "$@"' sh "$@"
fi
exec "$@"
