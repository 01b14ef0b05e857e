"""Database-wide settings that change how figures are computed (kept in the database so that every PC
merging the same records computes the same report)."""

from __future__ import annotations

from dataclasses import dataclass

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.rules import SubsidySettings
from kaigo_desktop.services import rights
from kaigo_desktop.storage import aggregates
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.settings_store import write_setting


@dataclass(frozen=True)
class ComputationSettings:
    survey_reference_month: int = 3  # domain.md: the survey counts places active in March by default
    subsidy: SubsidySettings = SubsidySettings()


def load(db: Database) -> ComputationSettings:
    defaults = SubsidySettings()
    month = aggregates.setting(db, "survey_reference_month")
    unit = aggregates.setting(db, "subsidy_round_down_unit")
    prorate = aggregates.setting(db, "subsidy_prorate_by_month")
    return ComputationSettings(
        survey_reference_month=int(month) if month else 3,
        subsidy=SubsidySettings(
            base_per_promoter=defaults.base_per_promoter,
            round_down_unit=int(unit) if unit is not None else defaults.round_down_unit,
            prorate_by_month=(prorate == "1") if prorate is not None else defaults.prorate_by_month,
        ),
    )


def save(db: Database, settings: ComputationSettings) -> None:
    rights.require(db, roles.ADMINISTER)
    if not 1 <= settings.survey_reference_month <= 12:
        raise ValueError("基準月は1〜12で指定してください。")
    with db.write():
        write_setting(db, "survey_reference_month", str(settings.survey_reference_month))
        write_setting(db, "subsidy_round_down_unit", str(settings.subsidy.round_down_unit))
        write_setting(db, "subsidy_prorate_by_month", "1" if settings.subsidy.prorate_by_month else "0")
