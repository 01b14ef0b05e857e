"""`check`: is this database sound? SQLite's own checks, foreign keys, domain consistency, cap warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.services.stats import fiscal_year_stats
from kaigo_desktop.storage.consistency import Finding, consistency_findings, integrity_problems
from kaigo_desktop.storage.database import Database


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.integrity and not any(f.severity == "error" for f in self.findings)


def check_database(db: Database, today_fiscal_year: int | None = None) -> CheckReport:
    report = CheckReport(integrity_problems(db), consistency_findings(db))
    fiscal_year = today_fiscal_year or fiscal_year_of(date.today())
    for warning in fiscal_year_stats(db, fiscal_year).warnings:
        report.findings.append(Finding("warning", warning, 1))
    return report
