#!/bin/sh
# Runs one test program with a /tmp of its own: a tmpfs in a private mount namespace, gone when
# the program ends, so nothing a test (or a server it starts) writes under /tmp outlives it.
# ctest runs every test program through it (CMakeLists.txt, attest_test; tests/CMakeLists.txt
# and tests/fuzz/CMakeLists.txt for the others).
#
# Tests leave nothing behind: when the program has ended, whatever is left in its private /tmp
# is named on standard error and the program fails (exit 1), unless it failed already (its own
# exit code is kept). The servers tests start (attest serve, Chromium) run inside the same
# namespace and are checked with it.
#
# Where mount namespaces are not allowed (not root, or a container that forbids them) it runs
# the program as it is, on the shared /tmp (so too if the mount is refused), and the ctest
# fixture of scripts/tmp-leftovers.sh checks the shared /tmp around the whole suite instead.
# Inside, ATTEST_PRIVATE_TMP is "mounted" (a private /tmp, checked here) or "1" (none).
# espeak-ng (which tests and `attest demo` run to make speech) opens PulseAudio even to write a
# WAV file, and libpulse then makes /tmp/pulse-* as its runtime directory; tests play no sound,
# so they are told that there is no sound server to look for.
export PULSE_SERVER="${PULSE_SERVER:-unix:/nonexistent/attest-tests-play-no-sound}"
if [ -z "$ATTEST_PRIVATE_TMP" ] && [ "$(id -u)" = 0 ] && command -v unshare > /dev/null 2>&1 &&
  unshare --mount --propagation private true 2> /dev/null; then
  export ATTEST_PRIVATE_TMP=1
  exec unshare --mount --propagation private sh -c '
    mount -t tmpfs -o mode=1777 attest-test-tmp /tmp 2> /dev/null || exec "$@"
    ATTEST_PRIVATE_TMP=mounted
    "$@"
    rc=$?
    left=$(find /tmp -mindepth 1 -maxdepth 1 2> /dev/null | sort)
    if [ -n "$left" ]; then
      echo "test-private-tmp: $1 left this in /tmp (tests remove what they make):" >&2
      echo "$left" | while read -r entry; do
        if [ -d "$entry" ]; then
          echo "  $entry/ ($(find "$entry" -mindepth 1 | wc -l) entries inside)" >&2
        else
          echo "  $entry" >&2
        fi
      done
      [ "$rc" -eq 0 ] && rc=1
    fi
    exit "$rc"' sh "$@"
fi
exec "$@"
