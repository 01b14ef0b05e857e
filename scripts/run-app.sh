#!/usr/bin/env bash
# Start Kaigo Desktop on the user's database: on the first run the welcome dialog asks which database to make
# (and offers the demo). `--demo` opens the demo database instead (made in the user's data folder on first use).
# Other arguments go to kaigo-desktop too (e.g. --db FILE).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
exec "$ROOT/.venv/bin/kaigo-desktop" "$@"
