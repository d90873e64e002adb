#!/usr/bin/env bash
# Sets Sparring up with its test tools and runs every test: unit, page, integration
# (the embedded model) and browser (headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
exec .venv/bin/python -m pytest "$@"
