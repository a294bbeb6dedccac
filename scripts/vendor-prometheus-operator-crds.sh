#!/bin/sh
# Vendors the Prometheus Operator CRDs that `gitops-lab lint` validates ServiceMonitor, PodMonitor, Probe and
# PrometheusRule objects against, at the version the pinned kube-prometheus-stack chart ships
# (manifests/apps/kube-prometheus-stack.yaml, targetRevision), into schemas/crds/.
# Each file is the chart's file byte for byte, under one first-line comment naming repo, tag and path.
#
# Usage: scripts/vendor-prometheus-operator-crds.sh CHART_VERSION [HELM_CHARTS_GIT_DIR]
#   e.g. scripts/vendor-prometheus-operator-crds.sh 79.7.1 ~/src/helm-charts
# Without a git dir it clones https://github.com/prometheus-community/helm-charts (tags only, shallow).
# Then delete the old prometheus-operator-v*-*-crd.yaml files it reports, run
#   npm run build && node scripts/build-schemas.mjs
# and update the version in docs/manifests.md.
set -eu
version=${1:?usage: $0 CHART_VERSION [HELM_CHARTS_GIT_DIR]}
tag="kube-prometheus-stack-$version"
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${2:-}" ]; then
  repo=$2
else
  repo=$(mktemp -d)
  trap 'rm -rf "$repo"' EXIT
  git clone --quiet --bare --depth 1 --branch "$tag" https://github.com/prometheus-community/helm-charts "$repo"
fi
chart=charts/kube-prometheus-stack
# The operator release the chart ships: Chart.yaml's appVersion (e.g. v0.86.2).
operator=$(git -C "$repo" show "$tag:$chart/Chart.yaml" | sed -n 's/^appVersion: *//p' | tr -d '"')
[ -n "$operator" ] || { echo "no appVersion in $tag:$chart/Chart.yaml" >&2; exit 1; }
for kind in servicemonitor podmonitor probe prometheusrule; do
  path="$chart/charts/crds/crds/crd-${kind}s.yaml"
  out="$root/schemas/crds/prometheus-operator-$operator-$kind-crd.yaml"
  rm -f "$out"
  {
    echo "# Vendored from github.com/prometheus-community/helm-charts, tag $tag, path $path (byte-identical below this line)."
    git -C "$repo" show "$tag:$path"
  } >"$out"
  echo "wrote $out"
done
ls "$root"/schemas/crds/prometheus-operator-v*-crd.yaml | grep -v -- "-$operator-" | sed 's/^/stale, delete: /' || true
