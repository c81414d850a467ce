#!/usr/bin/env bash
# Fetches the pinned npm packages of third_party/npm-pins.txt into third_party/_src/, checking
# each tarball's SHA-256 before anything is unpacked, and extracts the named file or directory.
# Safe to run again: a verified tarball already present is not downloaded again, and a
# directory is extracted afresh (never mixed with an older version's files).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=third_party/_src
mkdir -p "$dest"
grep -v '^#' third_party/npm-pins.txt | while read -r pkg version sha file target; do
  [ -n "$pkg" ] || continue
  tgz="$dest/$pkg-$version.tgz"
  if [ ! -f "$tgz" ] || ! echo "$sha  $tgz" | sha256sum -c --status; then
    rm -f "$tgz"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$pkg@$version" > /dev/null)
    mv "$tmp"/*.tgz "$tgz"
    rmdir "$tmp"
  fi
  if ! echo "$sha  $tgz" | sha256sum -c --status; then
    echo "fetch-third-party: $pkg@$version does not have the pinned SHA-256 $sha; refusing it" >&2
    rm -f "$tgz"
    exit 1
  fi
  rm -rf "${dest:?}/$target"
  if [[ "$file" == *.bundle ]]; then
    # A git bundle (node-llama-cpp carries llama.cpp so): its tree, without the history.
    tar -xzf "$tgz" -C "$dest" --transform "s|^$file|$target.bundle|" "$file"
    git clone -q -c advice.detachedHead=false "$dest/$target.bundle" "$dest/$target"
    rm -rf "${dest:?}/$target/.git" "$dest/$target.bundle"
  else
    tar -xzf "$tgz" -C "$dest" --transform "s|^$file|$target|" "$file"
  fi
  echo "fetch-third-party: $pkg@$version verified; $dest/$target"
done
