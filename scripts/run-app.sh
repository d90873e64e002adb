#!/usr/bin/env bash
# Sets Sparring up (first run: a few minutes) and opens the app on http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "$@"
