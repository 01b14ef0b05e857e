#!/usr/bin/env bash
# Run the test suite (arguments go to pytest) with Qt offscreen; exits with pytest's own code.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec "$ROOT/.venv/bin/python" -m pytest "$@"
