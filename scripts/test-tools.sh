#!/usr/bin/env bash
# scripts/test-tools.sh
#
# Installs the tools the tests run besides the workspace's own code: aiosmtpd
# (PyPI, the SMTP server of the notifications tests) and the
# OpenID Connect provider (the npm package oidc-provider, exact version in
# services/auth/tests/oidc/package-lock.json) that the auth service's SSO tests
# start. Idempotent and offline-safe: nothing is fetched while the installed
# tree matches the lock file. Without node/npm it only warns; the SSO tests
# then fail, saying what to install.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/services/auth/tests/oidc"
lock="$dir/package-lock.json"
stamp="$dir/node_modules/.lawos-lock.sha256"

has_node() { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; }

# The SMTP server the notifications tests start on loopback: aiosmtpd (PyPI),
# pinned; installed once for the user running the tests.
aiosmtpd_version=1.4.6
if ! python3 -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$aiosmtpd_version')" >/dev/null 2>&1; then
  if command -v python3 >/dev/null 2>&1; then
    echo "+ python3 -m pip install aiosmtpd==$aiosmtpd_version"
    python3 -m pip install --quiet --disable-pip-version-check "aiosmtpd==$aiosmtpd_version" >&2 \
      || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "aiosmtpd==$aiosmtpd_version" >&2 \
      || echo "test-tools: aiosmtpd could not be installed: the notifications e-mail tests will fail" >&2
  else
    echo "test-tools: python3 is not installed: the notifications e-mail tests will fail" >&2
  fi
fi

# Root on Debian/Ubuntu, installing allowed (as scripts/infra.sh): Debian's nodejs + npm.
if ! has_node && [[ "${LAWOS_INFRA_INSTALL:-}" != never ]] && [[ "$(id -u)" == 0 ]] \
  && [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; then
  echo "+ apt-get install -y nodejs npm"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2 || true
fi

# The API fuzzer (`make fuzz-api`, scripts/fuzz-api.sh): schemathesis, pinned,
# in a project-local virtualenv. Installed once; offline afterwards.
SCHEMATHESIS_VERSION=4.32.5
st_dir="$root/.lawos/tools/schemathesis"
install_schemathesis() {
  if [[ -x "$st_dir/bin/schemathesis" ]] \
    && [[ "$("$st_dir/bin/schemathesis" --version 2>/dev/null)" == *"$SCHEMATHESIS_VERSION"* ]]; then
    return 0
  fi
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then
    echo "test-tools: python3 with venv is missing: make fuzz-api cannot run (Debian/Ubuntu: apt-get install python3-venv)" >&2
    return 0
  fi
  echo "+ python3 -m venv .lawos/tools/schemathesis && pip install schemathesis==$SCHEMATHESIS_VERSION"
  python3 -m venv "$st_dir" \
    && "$st_dir/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    || echo "test-tools: could not install schemathesis $SCHEMATHESIS_VERSION (PyPI unreachable?): make fuzz-api cannot run" >&2
}
install_schemathesis

if ! has_node; then
  echo "test-tools: node and npm are not installed: the SSO tests of the auth service will fail" >&2
  echo "test-tools: install Node.js 20 or newer with npm (Debian/Ubuntu: apt-get install nodejs npm)" >&2
  exit 0
fi

want="$(sha256sum "$lock" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d "$dir/node_modules/oidc-provider" ]]; then
  exit 0
fi

echo "+ npm ci --prefix services/auth/tests/oidc"
npm ci --prefix "$dir" --no-audit --no-fund --prefer-offline --loglevel=error
echo "$want" >"$stamp"
