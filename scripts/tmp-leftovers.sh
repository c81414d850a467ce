#!/bin/sh
# The ctest fixture that checks that the test suite leaves nothing in /tmp where
# scripts/test-private-tmp.sh cannot give each program a private /tmp (not root, or mount
# namespaces forbidden): `before STATE` records the entries of /tmp owned by this user before
# the first test, `after STATE` fails naming those that are new after the last one. Where every
# program has a private /tmp, test-private-tmp.sh checks each program instead and this says so.
# (Another program of the same user writing to /tmp while the suite runs is named too.)
#   usage: scripts/tmp-leftovers.sh before|after STATE_FILE
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=$1
state=$2
private=$("$here/test-private-tmp.sh" sh -c 'echo "${ATTEST_PRIVATE_TMP:-}"')
entries() { find /tmp -mindepth 1 -maxdepth 1 -user "$(id -u)" 2> /dev/null | sort; }
case "$mode" in
  before)
    entries > "$state"
    if [ "$private" = mounted ]; then
      echo "tmp-leftovers: each test program has a private /tmp, checked when it ends"
    else
      echo "tmp-leftovers: no private /tmp; $(wc -l < "$state") entries of /tmp recorded"
    fi
    ;;
  after)
    [ -f "$state" ] || { echo "tmp-leftovers: $state is missing (the setup did not run)" >&2; exit 1; }
    if [ "$private" = mounted ]; then
      rm -f "$state"
      echo "tmp-leftovers: each test program had a private /tmp, checked when it ended"
      exit 0
    fi
    new=$(entries | comm -13 "$state" -)
    rm -f "$state"
    if [ -n "$new" ]; then
      echo "tmp-leftovers: the tests left this in /tmp (tests remove what they make):" >&2
      echo "$new" | sed 's/^/  /' >&2
      exit 1
    fi
    echo "tmp-leftovers: nothing new in /tmp"
    ;;
  *)
    echo "usage: $0 before|after STATE_FILE" >&2
    exit 2
    ;;
esac
