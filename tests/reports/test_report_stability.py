"""Fixed-seed demo data gives byte-identical reports in separate processes (reportlab's invariant mode with the
creation date passed in), and making the CLI or exports importable costs no reportlab import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys
from datetime import date
from pathlib import Path
from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.reports.exports import export
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.storage.database import Database

folder = Path(sys.argv[1])
with Database.open(folder / "demo.sqlite3", create=True, user="demo") as db:
    create_demo(db, places=40, years=1, seed=5, today=date(2026, 3, 31))
    created = date.fromisoformat(sys.argv[2])
    for kind in ("submission", "promoters", "places"):
        generate(kind, db, ReportOptions(fiscal_year=2025, created=created), folder / f"{kind}.pdf")
    export(db, "csv", ReportOptions(fiscal_year=2025, created=created), folder / "all.csv")
"""


def run_in_new_process(folder: Path, created: str) -> None:
    folder.mkdir()
    subprocess.run([sys.executable, "-c", SCRIPT, str(folder), created], check=True,
                   cwd=Path(__file__).resolve().parents[2])


@pytest.mark.slow
def test_fixed_seed_demo_reports_are_byte_stable_across_runs(tmp_path: Path) -> None:
    from pypdf import PdfReader

    run_in_new_process(tmp_path / "a", "2026-06-01")
    run_in_new_process(tmp_path / "b", "2026-06-01")
    run_in_new_process(tmp_path / "c", "2026-07-15")
    for name in ("submission.pdf", "promoters.pdf", "places.pdf", "all.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in ("submission.pdf", "promoters.pdf", "places.pdf"):
        a = [p.extract_text() for p in PdfReader(str(tmp_path / "a" / name)).pages]
        c = [p.extract_text() for p in PdfReader(str(tmp_path / "c" / name)).pages]
        assert a != c
        assert [t.replace("令和8年6月1日", "D") for t in a] == [t.replace("令和8年7月15日", "D") for t in c], name


def test_importing_the_commands_and_exports_does_not_import_reportlab() -> None:
    code = ("import sys, kaigo_desktop.cli.reports, kaigo_desktop.reports.exports, kaigo_desktop.reports;"
            "print('reportlab' in sys.modules, 'openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.split() == ["False", "False"]
