"""`check`: is this database sound? SQLite's own checks, foreign keys, domain consistency, the audit trail's
hash chain, cap warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.services.audit import chain_problems
from kaigo_desktop.services.stats import fiscal_year_stats
from kaigo_desktop.storage.consistency import (
    Finding,
    consistency_findings,
    fiscal_years_with_data,
    integrity_problems,
    out_of_bounds_findings,
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


def check_database(db: Database, today_fiscal_year: int | None = None) -> CheckReport:
    """SQLite's checks, objects our migrations did not make, consistency, numbers beyond their bounds, and
    the warnings of every 年度 that has data (and the current one)."""
    beyond = out_of_bounds_findings(db)
    report = CheckReport(integrity_problems(db), schema_findings(db) + consistency_findings(db) + beyond)
    report.findings += [Finding(severity, message, 1) for severity, message in chain_problems(db)]
    current = today_fiscal_year or fiscal_year_of(date.today())
    if beyond:
        return report  # the 年度 sums over such numbers mean nothing (and may not fit in an integer)
    for fiscal_year in sorted({current, *fiscal_years_with_data(db, current)}):
        for warning in fiscal_year_stats(db, fiscal_year).warnings:
            report.findings.append(Finding("warning", warning, 1))
    return report
