#!/usr/bin/env bash
# Prepare this checkout to run and test Kaigo Desktop: system libraries (Debian/Ubuntu, as root),
# then .venv with the project installed in editable mode. Safe to run again; a rerun takes a moment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[setup] %s\n' "$*" >&2; }

# Qt offscreen needs these on a bare Debian; a Japanese TrueType font for screens and PDF reports;
# pdftoppm (poppler-utils) for the report tests.
# Qt's xcb platform (a real X display: run-app.sh) loads libqxcb.so, which links the xcb libraries below
# (check with: ldd .venv/lib/python3*/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so | grep "not found");
# Xvfb, xauth (xvfb-run) and x11-utils (xwininfo, xprop) let tests/gui/test_real_display.py start the app on one.
APT_PACKAGES=(
    libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0
    libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
    xvfb xauth x11-utils
    fonts-ipaexfont-gothic
    poppler-utils
)

install_system_packages() {
    command -v dpkg >/dev/null 2>&1 || return 0
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        log "WARNING: missing system packages (install them as root): ${missing[*]}"
    fi
}

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

install_system_packages

VENV="$ROOT/.venv"
STAMP="$VENV/.kaigo-installed"

if [ ! -x "$VENV/bin/python" ]; then
    if ! PY="$(find_python)"; then
        log "ERROR: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11 to choose one)."
        exit 1
    fi
    if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        # Debian's python3 ships venv/ensurepip separately.
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            log "installing python3-venv"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
        else
            log "ERROR: $PY cannot create a virtual environment (on Debian/Ubuntu: apt-get install python3-venv)."
            exit 1
        fi
    fi
    log "creating .venv with $PY ($("$PY" --version 2>&1))"
    "$PY" -m venv "$VENV"
    rm -f "$STAMP"
fi

# Reinstall only when pyproject.toml changed since the last successful install.
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    log "installing the project and its test tools into .venv (pip install -e .[test])"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
    touch "$STAMP"
fi
