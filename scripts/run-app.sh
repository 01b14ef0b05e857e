#!/usr/bin/env bash
# Start Kaigo Desktop on the demo database (created in the user's data folder on first run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
exec "$ROOT/.venv/bin/kaigo-desktop" --demo "$@"
