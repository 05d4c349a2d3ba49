#!/usr/bin/env bash
# Puts the face detector weights listed in scripts/models.txt into models/, checking each file's SHA-256.
# With MODELS_SOURCE_DIR set, the files are copied from that directory (CI points it at ../shared/models);
# otherwise they are downloaded from their source URL. A file already present with the right hash is kept.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/models"
mkdir -p "$dest"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

while read -r file sha url; do
  [[ -z "$file" || "$file" == \#* ]] && continue
  target="$dest/$file"
  if [[ -f "$target" && "$(sha_of "$target")" == "$sha" ]]; then
    continue
  fi
  tmp="$(mktemp "$dest/.$file.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT
  if [[ -n "${MODELS_SOURCE_DIR:-}" ]]; then
    if [[ ! -f "$MODELS_SOURCE_DIR/$file" ]]; then
      echo "fetch-models: $file is not in MODELS_SOURCE_DIR ($MODELS_SOURCE_DIR)" >&2
      exit 1
    fi
    cp "$MODELS_SOURCE_DIR/$file" "$tmp"
  else
    echo "fetch-models: downloading $file" >&2
    if ! curl -fsSL --retry 3 --connect-timeout 20 -o "$tmp" "$url"; then
      echo "fetch-models: could not download $file from $url (set MODELS_SOURCE_DIR to a directory that holds it)" >&2
      exit 1
    fi
  fi
  actual="$(sha_of "$tmp")"
  if [[ "$actual" != "$sha" ]]; then
    echo "fetch-models: SHA-256 mismatch for $file: expected $sha, got $actual" >&2
    exit 1
  fi
  chmod 644 "$tmp"
  mv "$tmp" "$target"
  trap - EXIT
  echo "fetch-models: $file ok" >&2
done < "$root/scripts/models.txt"
