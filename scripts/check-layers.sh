#!/bin/bash
# check-layers.sh: the layers of doc/architecture.md hold.
#   core → blob/tlog/meta → access/text → search/asr → archive → ingest → service → {http, cli}
# A folder includes only its own headers and those of folders in lower layers (folders of one
# layer are independent of each other); tests may also use testing helpers of lower layers.
# Also: cli/ includes http/ in its serve file only (only `serve` and `demo` link the server);
# no cli/, http/, ingest/ or service/ code reaches past the archive's parts to its store, blob
# store or log (store(), blobs(), log()); access::Decide and audit rows are written only in
# access/, archive/ (its own transactional rows, through its audit part) and service/.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A RANK=([core]=0 [blob]=1 [tlog]=1 [meta]=1 [access]=2 [text]=2 [search]=3 [asr]=3
                 [archive]=4 [ingest]=5 [service]=6 [http]=7 [cli]=8)
fail=0
for dir in src/*/; do
  d=$(basename "$dir")
  [[ -n "${RANK[$d]:-}" ]] || { echo "layers: src/$d is not in a layer (scripts/check-layers.sh)"; fail=1; continue; }
  while IFS=: read -r file inc; do
    to=${inc%%/*}
    [[ "$to" == "$d" ]] && continue
    [[ -n "${RANK[$to]:-}" ]] || continue  # a generated header of the build tree
    if (( RANK[$to] >= RANK[$d] )); then
      echo "layers: $file includes $inc ($d may not depend on $to)"
      fail=1
    fi
  done < <(grep -oE '^#include "[a-z_]+/[^"]+"' -r "src/$d" --include='*.cc' --include='*.h' |
           sed -E 's/:#include "/:/; s/"$//')
done
# cli/ reaches http/ from its serve file only.
while IFS= read -r hit; do
  case "$hit" in src/cli/serve.cc:*) ;; *) echo "layers: $hit (only src/cli/serve.cc includes http/)"; fail=1 ;; esac
done < <(grep -n '#include "http/' -r src/cli --include='*.cc' --include='*.h' || true)
# No reaching around the archive's parts.
while IFS= read -r hit; do
  echo "layers: $hit (use the archive's parts, not its store, blob store or log)"; fail=1
done < <(grep -nE '(->|\.)(store|blobs|log)\(\)' -r src/cli src/http src/ingest src/service \
           --include='*.cc' --include='*.h' | grep -v '_test\.cc:' || true)
# Decisions and audit rows in their places only.
while IFS= read -r hit; do
  echo "layers: $hit (access::Decide is called in service/ and access/ only)"; fail=1
done < <(grep -nE '\bDecide\(' -r src --include='*.cc' --include='*.h' |
           grep -vE '^src/(service|access)/|_test\.cc:' || true)
while IFS= read -r hit; do
  echo "layers: $hit (audit rows are written by service::Auditor or archive's audit part)"; fail=1
done < <(grep -nE '(->|\.)Audit\(|AuditView\(' -r src --include='*.cc' --include='*.h' |
           grep -vE '^src/(service|archive|meta|access)/|_test\.cc:' || true)
if (( fail )); then exit 1; fi
echo "check-layers: every include, decision and audit row is in its layer"
