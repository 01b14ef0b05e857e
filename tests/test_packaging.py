"""The project installs as a plain (non-editable) wheel that carries db/ and resources/ and whose CLI works;
the PyInstaller spec ships the same folders and the icon."""

from __future__ import annotations

import os
import re
import site
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(args: list[object], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["KAIGO_DESKTOP_DATA"] = str(cwd / "data")  # never touch the real user's data folder
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def _explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"


def _parent_site_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    dirs = [paths["purelib"], paths["platlib"], *site.getsitepackages()]
    return list(dict.fromkeys(d for d in dirs if Path(d).is_dir()))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh venv with the project pip-installed from the repo; dependencies come from this interpreter."""
    tmp = tmp_path_factory.mktemp("packaging")
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=tmp)
    assert made.returncode == 0, _explain(made)
    python = venv / "bin" / "python"

    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp)
    assert purelib.returncode == 0, _explain(purelib)
    venv_site = Path(purelib.stdout.strip())
    # Paths listed in a .pth are appended after the venv's own site-packages, so the installed copy wins;
    # .pth files inside them (an editable install's) are not processed.
    (venv_site / "zz_parent_env.pth").write_text("\n".join(_parent_site_dirs()) + "\n", encoding="utf-8")

    pip = _run(
        [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--ignore-installed",
         "--no-index", "--quiet", REPO],
        cwd=tmp,
    )
    assert pip.returncode == 0, _explain(pip)
    return {"tmp": tmp, "venv": venv, "python": python, "site": venv_site}


def test_installed_copy_is_imported_not_the_checkout(installed: dict[str, Path]) -> None:
    proc = _run([installed["python"], "-c", "import kaigo_desktop, sys; print(kaigo_desktop.__file__)"],
                cwd=installed["tmp"])
    assert proc.returncode == 0, _explain(proc)
    imported = Path(proc.stdout.strip()).resolve()
    assert imported.is_relative_to(installed["venv"].resolve()), imported
    assert imported.parent == (installed["site"] / "kaigo_desktop").resolve()


# What resources/ must hold (resources/README.md says what each is for).
SHIPPED_RESOURCES = (
    "icons/kaigo-desktop.svg",
    "icons/kaigo-desktop.ico",
    "icons/ICONS_LICENSE.txt",
    *(f"icons/kaigo-desktop-{size}.png" for size in (16, 24, 32, 48, 64, 128, 256)),
    "fonts/ipaexg.ttf",
    "fonts/IPA_Font_License_Agreement_v1.0.txt",
    "translations/qtbase_ja.qm",
)


def test_wheel_carries_shipped_folders(installed: dict[str, Path]) -> None:
    package = installed["site"] / "kaigo_desktop"
    assert (package / "db" / "0001_schema.sql").is_file()
    assert (package / "db" / "reference" / "municipalities.csv").is_file()
    for name in SHIPPED_RESOURCES:
        assert (package / "resources" / name).is_file(), name
    assert (package / "cli" / "__init__.py").is_file()
    assert not (package / "ui").exists()  # ui/ holds only a note why the forms are built in code
    assert not (package / "tests").exists()
    assert not (installed["site"] / "tests").exists()
    assert not (installed["site"] / "benchmarks").exists()
    # Nothing empty ships: every folder of the package holds a file somewhere below it.
    for folder in [package, *(path for path in package.rglob("*") if path.is_dir())]:
        assert any(path.is_file() for path in folder.rglob("*")), folder

    # paths.py resolves the folders inside the installed package, not in the source checkout; the reports
    # embed the shipped font (no system font given).
    proc = _run([installed["python"], "-c",
                 "from kaigo_desktop import paths; print(paths.db_dir()); print(paths.resources_dir());"
                 " from kaigo_desktop.reports.fonts import japanese_font;"
                 " print(japanese_font(system_dirs=[]).path)"], cwd=installed["tmp"])
    assert proc.returncode == 0, _explain(proc)
    found = [Path(line).resolve() for line in proc.stdout.split()]
    assert found == [(package / "db").resolve(), (package / "resources").resolve(),
                     (package / "resources" / "fonts" / "ipaexg.ttf").resolve()]


def test_pyinstaller_spec_ships_the_folders_and_the_icon() -> None:
    """build.spec cannot run here (no PyInstaller in the test environment): its shipped folders and the
    executable's icon are read from the text."""
    spec = (REPO / "build.spec").read_text(encoding="utf-8")
    shipped = re.findall(r'\(str\(ROOT / "(\w+)"\), "(\w+)"\)', spec)
    assert shipped == [("db", "db"), ("resources", "resources")]
    [icon] = re.findall(r'icon=str\(ROOT / "resources" / "icons" / "([^"]+)"\)', spec)
    assert (REPO / "resources" / "icons" / icon).is_file() and icon.endswith(".ico")


def test_console_script_inits_and_checks_a_database(installed: dict[str, Path]) -> None:
    tmp = installed["tmp"]
    script = installed["venv"] / "bin" / "kaigo-desktop"
    assert script.is_file()
    database = tmp / "x.sqlite3"

    init = _run([script, "--db", database, "init", "--municipality", "131016"], cwd=tmp, timeout=120)
    assert init.returncode == 0, _explain(init)
    check = _run([script, "--db", database, "check"], cwd=tmp, timeout=120)
    assert check.returncode == 0, _explain(check)

    with sqlite3.connect(database) as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM municipalities").fetchone()
    assert count == 62
