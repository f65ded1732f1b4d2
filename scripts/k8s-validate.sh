#!/usr/bin/env bash
# scripts/k8s-validate.sh: what `make k8s-validate` runs, offline but for the
# first creation of the tool venv (.lawos/venv, from PyPI, pinned in
# deploy/requirements-k8s.txt; re-created when that file changes).
#   1. k8s/generate.py --check     the committed manifests are what the table generates
#   2. k8s/render.py --compare     Python renderer = kubectl kustomize (when installed)
#   3. k8s/validate.py             dev, prod, base and the secret template, rendered,
#                                  strictly valid for Kubernetes 1.30 and 1.37
#   4. deploy/rollout --dry-run    the phase plan of each overlay
#   5. pytest deploy/tests         phase-dependency test (services table and
#                                  docker-compose.yml), manifest and compose checks,
#                                  deploy/rollout against a recording kubectl stub
# Environment: LAWOS_PYTHON (python3) to create the venv.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the work tree

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.lawos/venv"
REQ="$ROOT/deploy/requirements-k8s.txt"
STAMP="$VENV/.requirements-k8s.sha256"
want="$(sha256sum "$REQ" | cut -d' ' -f1)"

if [[ ! -x "$VENV/bin/python" || "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
  echo "+ creating $VENV from $REQ"
  rm -rf "$VENV"
  "${LAWOS_PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ"
  echo "$want" >"$STAMP"
fi
PY="$VENV/bin/python"

step() { echo "+ $*"; "$@"; }

step "$PY" k8s/generate.py --check
for overlay in dev prod; do
  step "$PY" k8s/render.py "k8s/overlays/$overlay" --compare
done
step "$PY" k8s/validate.py k8s/overlays/dev k8s/overlays/prod k8s/base k8s/base/secret-template
for overlay in dev prod; do
  echo "+ deploy/rollout --dry-run --overlay $overlay"
  PYTHON="$PY" deploy/rollout --dry-run --overlay "$overlay" >"$ROOT/.lawos/rollout-plan-$overlay.txt"
  tail -n 1 "$ROOT/.lawos/rollout-plan-$overlay.txt"
done
step "$PY" -m pytest -q -p no:cacheprovider deploy/tests
