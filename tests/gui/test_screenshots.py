"""`kaigo-desktop --db PATH screenshots --out DIR` on a small demo database: exits 0 and writes one non-blank
PNG per view the screens name, numbered in navigation order."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.storage.database import Database

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shots") / "demo.sqlite3"
    Database.create_new(path, lambda db: create_demo(db, places=30, years=1, seed=3, today=date(2024, 11, 15)),
                        user="デモ")
    return path


def distinct_colours(image: QImage, step: int = 7) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kaigo_desktop", *args], capture_output=True, text=True,
                          env=env, timeout=180)


def test_screenshots_command_writes_every_view(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    env = {**os.environ, "KAIGO_DESKTOP_DATA": str(tmp_path / "data")}
    env.pop("QT_QPA_PLATFORM", None)  # the command must choose offscreen by itself
    result = run_cli("--db", str(demo_db), "screenshots", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.png"))
    assert [Path(line).name for line in result.stdout.split()] == [f.name for f in files]
    names = [f.name for f in files]
    assert names[0].startswith("01_")
    for stem in ("dashboard", "masters_population", "masters_expenses", "masters_centers", "masters_settings",
                 "submission_export", "masters_short_term"):
        assert any(name.endswith(f"_{stem}.png") for name in names), stem
    assert len(files) >= 7  # at least one per screen
    for path in files:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 300 and image.height() >= 200, path.name
        assert distinct_colours(image) > 8, f"{path.name} looks blank"
    dashboard = QImage(str(next(f for f in files if f.name.endswith("_dashboard.png"))))
    bar = QColor("#3f7cc4").rgb()
    assert sum(1 for x in range(0, dashboard.width(), 3) for y in range(0, dashboard.height(), 3)
               if dashboard.pixel(x, y) == bar) > 100, "the dashboard's bar charts were drawn"


def test_screenshots_refuse_a_missing_database(tmp_path: Path) -> None:
    env = {**os.environ, "KAIGO_DESKTOP_DATA": str(tmp_path / "data")}
    result = run_cli("--db", str(tmp_path / "none.sqlite3"), "screenshots", "--out", str(tmp_path / "o"), env=env)
    assert result.returncode == 2
    assert "データベースファイルがありません" in result.stderr
    assert not (tmp_path / "o").exists()


def test_screenshots_at_a_laptop_screen_size_at_200_percent(demo_db: Path, tmp_path: Path) -> None:
    """The window is the screen less the taskbar, and at 200 % it still fits (it would grow if it did not)."""
    out = tmp_path / "shots"
    env = {**os.environ, "KAIGO_DESKTOP_DATA": str(tmp_path / "data")}
    result = run_cli("--db", str(demo_db), "screenshots", "--out", str(out), "--text-scale", "200",
                     "--screen", "1366x768", env=env)
    assert result.returncode == 0, result.stderr
    for name in ("GatheringsScreen", "masters_settings", "PlacesScreen"):
        image = QImage(str(next(out.glob(f"*_{name}.png"))))
        assert (image.width(), image.height()) == (1366, 728), name


@pytest.mark.parametrize("option", [["--screen", "1366"], ["--screen", "1366x768x2"], ["--screen", "100x100"],
                                    ["--text-scale", "300"], ["--text-scale", "50"]])
def test_screenshots_refuse_an_unusable_size(demo_db: Path, tmp_path: Path, option: list[str]) -> None:
    env = {**os.environ, "KAIGO_DESKTOP_DATA": str(tmp_path / "data")}
    result = run_cli("--db", str(demo_db), "screenshots", "--out", str(tmp_path / "o"), *option, env=env)
    assert result.returncode == 2
    assert option[0] in result.stderr and "指定してください" in result.stderr
    assert not (tmp_path / "o").exists()


def test_screen_sizes_are_read_in_every_usual_spelling() -> None:
    from kaigo_desktop.cli.records import parse_screen_size

    for text in ("1366x768", "1366X768", "1366×768", " 1366 x 768 ", "１３６６ｘ７６８"):
        assert parse_screen_size(text) == (1366, 768), text
    for text in ("1366", "x768", "1366x", "1366*768", "99999x768", "320x240", "1366x768px"):
        assert parse_screen_size(text) is None, text


def test_screenshots_of_a_metro_database_show_its_own_screens(tmp_path: Path) -> None:
    """東京都's database: 提出状況 (missing rows in red), 評価シート and 設定, at 200 % on a 1366×768 laptop too."""
    from tests.gui.metro_gui import build_metro_database

    metro_db = build_metro_database(tmp_path / "metro").path
    env = {**os.environ, "KAIGO_DESKTOP_DATA": str(tmp_path / "data")}
    for options, size in (((), None), (("--text-scale", "200", "--screen", "1366x768"), (1366, 728))):
        out = tmp_path / f"shots{len(options)}"
        result = run_cli("--db", str(metro_db), "screenshots", "--out", str(out), *options, env=env)
        assert result.returncode == 0, result.stderr
        assert [f.name for f in sorted(out.glob("*.png"))] == ["01_metro_status.png", "02_metro_sheet.png",
                                                              "03_metro_settings.png"]
        status = QImage(str(out / "01_metro_status.png"))
        if size:
            assert (status.width(), status.height()) == size
        pink = QColor("#fde7ea").rgb()  # the missing rows' background (their text is red and marked 「✕ 未提出」)
        assert sum(1 for x in range(0, status.width(), 3) for y in range(0, status.height(), 3)
                   if status.pixel(x, y) == pink) > 1000, "the missing 区市町村 are marked"
