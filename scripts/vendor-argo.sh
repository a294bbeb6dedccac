#!/usr/bin/env bash
# Vendors the rendered upstream install manifests of Argo CD and Argo Rollouts into manifests/bootstrap/, so that
# the lab reconciles its own controllers with no network (no remote kustomize base).
#
#   scripts/vendor-argo.sh ARGO_CD_TAG ARGO_ROLLOUTS_TAG      e.g. scripts/vendor-argo.sh v3.1.12 v1.8.3
#
# Each file is upstream's bytes, unchanged, below a header naming the source, the tag and the sha256 of those
# bytes (tests/manifests/vendored-argo.test.ts checks all three against src/lab/config.ts). By default the files
# come from raw.githubusercontent.com; set ARGO_CD_GIT_DIR / ARGO_ROLLOUTS_GIT_DIR to a local clone (bare or not)
# holding the tags to read them with `git show TAG:manifests/install.yaml` instead.
# After a version change: update versions in src/lab/config.ts, run `node scripts/build-schemas.mjs` (the lint
# schemas come from these CRDs) and `npx vitest run tests/manifests`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ]; then
  echo "usage: $0 ARGO_CD_TAG ARGO_ROLLOUTS_TAG   (e.g. v3.1.12 v1.8.3)" >&2
  exit 2
fi

# fetch REPO TAG LOCAL_GIT_DIR: upstream manifests/install.yaml at TAG on stdout.
fetch() {
  local repo=$1 tag=$2 dir=$3
  if [ -n "$dir" ]; then
    git -C "$dir" show "$tag:manifests/install.yaml"
  else
    curl -fsSL "https://raw.githubusercontent.com/argoproj/$repo/$tag/manifests/install.yaml"
  fi
}

# vendor REPO TAG LOCAL_GIT_DIR OUT
vendor() {
  local repo=$1 tag=$2 dir=$3 out=$4 tmp
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' RETURN
  fetch "$repo" "$tag" "$dir" >"$tmp"
  [ -s "$tmp" ] || { echo "vendor-argo: empty manifest for $repo $tag" >&2; exit 1; }
  local sum
  sum=$(sha256sum "$tmp" | cut -d' ' -f1)
  {
    echo "# Vendored by scripts/vendor-argo.sh; do not edit. Upstream bytes, unchanged, follow this header."
    echo "# source: https://github.com/argoproj/$repo/blob/$tag/manifests/install.yaml"
    echo "# tag: $tag"
    echo "# sha256: $sum"
    cat "$tmp"
  } >"$out.tmp"
  mv "$out.tmp" "$out"
  echo "vendor-argo: $out <- argoproj/$repo $tag ($sum)"
}

vendor argo-cd "$1" "${ARGO_CD_GIT_DIR:-}" manifests/bootstrap/argo-cd/install.yaml
vendor argo-rollouts "$2" "${ARGO_ROLLOUTS_GIT_DIR:-}" manifests/bootstrap/argo-rollouts/install.yaml
