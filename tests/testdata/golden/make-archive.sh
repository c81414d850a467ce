#!/usr/bin/env bash
# Builds tests/testdata/golden/archive.tar.gz, the golden archive of issue 22: a small archive
# made once by the attest binary of the commit that recorded it, kept so that later binaries
# can be checked against it byte for byte (tests/golden_archive_test.cc; tests/testdata/README.md).
# Run it only to make a new golden archive on purpose (a change of doc/format/), then record
# the expected output with ATTEST_GOLDEN_RECORD=1 build/tests/golden_archive_test.
#   usage: tests/testdata/golden/make-archive.sh BUILD/attest
# Texts: articles of the Universal Declaration of Human Rights (samples/udhr), samples, not
# testimony.
set -euo pipefail
attest=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export USER=golden LC_ALL=C.UTF-8 TZ=UTC ATTEST_ARCHIVE="$work/archive"
"$attest" init archive --origin example.org/golden-archive > /dev/null
cat > udhr-eng-3.txt <<'END'
Sample text, not testimony: the Universal Declaration of Human Rights, article 3.

Everyone has the right to life, liberty and the security of person.
END
cat > udhr-fra-13.txt <<'END'
Texte d'exemple, pas un témoignage : Déclaration universelle des droits de l'homme, article 13.

Toute personne a le droit de circuler librement et de choisir sa résidence à l’intérieur d’un État.

Toute personne a le droit de quitter tout pays, y compris le sien, et de revenir dans son pays.
END
cat > udhr-heb-19.txt <<'END'
כל אדם זכאי לחירות הדעה והבטוי, לרבות החירות להחיק בדעות ללא כל הפרעה, ולבקש ידיעות ודעות, ולקבלן ולמסרן בכל הדרכים וללא סייגי גבולות.
END
cat > udhr-arb-13.txt <<'END'
لكل فرد حرية التنقل واختيار محل إقامته داخل حدود كل دولة.

يحق لكل فرد أن يغادر أية بلاد بما في ذلك بلده كما يحق له العودة إليه.
END
cat > udhr-eng-19.txt <<'END'
Sample text, not testimony: the Universal Declaration of Human Rights, article 19.

Everyone has the right to freedom of opinion and expression.
END
id() { "$attest" add --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["id"])'; }
en=$(id udhr-eng-3.txt --lang en --witness sample-w1 --collection samples --consent public \
  --meta '{"title":"Sample: UDHR article 3"}' --place Paris --date 1948-12-10)
fr=$(id udhr-fra-13.txt --lang fr --witness sample-w2 --collection samples --consent research)
he=$(id udhr-heb-19.txt --lang he --witness sample-w3 --consent restricted)
ar=$(id udhr-arb-13.txt --lang ar --witness sample-w4 --consent public)
"$attest" worker --until-idle
en2=$(id udhr-eng-19.txt --lang en --record "$en")
"$attest" worker --until-idle
"$attest" consent "$fr" public --reason 'sample consent change' > /dev/null
seg=$("$attest" search --json circuler | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["segments"][0]["segment"])')
"$attest" consent "$fr" restricted --segment "$seg" --reason 'sample segment change' > /dev/null
"$attest" consent "$he" sealed --until 2999-01-01 --then research --reason 'sample seal' > /dev/null
"$attest" withdraw "$ar" --reason 'sample withdrawal' > /dev/null
seg=$("$attest" search --json opinion | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["segments"][0]["segment"])')
"$attest" redact "$en" --segment "$seg" --chars 0:8 --reason 'sample redaction' > /dev/null
"$attest" edit "$fr" --meta '{"title":"Sample: DUDH article 13"}' > /dev/null
"$attest" verify > /dev/null
test "$en" = "$en2"
# Every process has closed the database: SQLite has folded its write-ahead log back in.
if [ -e archive/attest.db-wal ]; then echo "make-archive: attest.db-wal is still there" >&2; exit 1; fi
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-12-07 -czf "$here/archive.tar.gz" archive
ls -l "$here/archive.tar.gz"
