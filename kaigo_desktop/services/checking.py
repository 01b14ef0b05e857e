"""`check`: is this database sound? SQLite's own checks, foreign keys, domain consistency, the audit trail's
hash chain, cap warnings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.services.audit import chain_problems
from kaigo_desktop.services.stats import promoter_cap_warnings
from kaigo_desktop.storage.consistency import (
    Finding,
    fiscal_years_with_data,
    foreign_key_problems,
    integrity_problems,
    read_beside_quick_check,
    row_findings,
    schema_findings,
)
from kaigo_desktop.storage.database import Database


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.integrity and not any(f.severity == "error" for f in self.findings)


def check_database(db: Database, today_fiscal_year: int | None = None, *, full: bool = False,
                   progress: Callable[[int, int, str], None] | None = None) -> CheckReport:
    """SQLite's checks (quick by default, the whole integrity check when `full`), objects our migrations did
    not make, consistency, numbers beyond their bounds, the audit trail's chain, and the promoter cap of every
    年度 that has data (and the current one). The long reads run side by side (Database.read_in_parallel)."""
    # By default `check` opened the file without its quick check: it runs here beside the other reads, on
    # the audit chain's reader (quick check + chain and rows + foreign keys take about as long each).
    integrity = integrity_problems(db, full=full, progress=progress) if full or db.quick_checked_at_open else []

    def rows_and_links(reader: Database):
        return row_findings(reader), foreign_key_problems(reader)

    chain, (rows, foreign_keys) = read_beside_quick_check(db, chain_problems, rows_and_links)
    report = CheckReport(integrity + foreign_keys, schema_findings(db) + rows.consistency + rows.beyond_bounds)
    report.findings += [Finding(severity, message, 1) for severity, message in chain]
    current = today_fiscal_year or fiscal_year_of(date.today())
    if rows.beyond_bounds:
        return report  # the 年度 sums over such numbers mean nothing (and may not fit in an integer)
    for fiscal_year in sorted({current, *fiscal_years_with_data(db, current)}):
        for warning in promoter_cap_warnings(db, fiscal_year):
            report.findings.append(Finding("warning", warning, 1))
    return report
