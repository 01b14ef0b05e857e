"""The outcome figures (services/outcomes.py) as published: every count of people through the reports' one
秘匿処理 (reports/suppression.py), so a place's 1–4 people — and whatever would give them away by subtraction
from its 計 — are hidden, as in every report for 東京都."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaigo_desktop.domain import checklist
from kaigo_desktop.reports.model import Hidden
from kaigo_desktop.reports.suppression import Suppressor, protect
from kaigo_desktop.services.outcomes import CHANGE_KEYS, LEVEL_KEYS, UNDECIDED, Outcomes, PlaceOutcome

LEVEL_HEADINGS = {**checklist.LEVEL_LABELS, UNDECIDED: "判定不能"}
CHANGE_HEADINGS = {**checklist.CHANGE_LABELS, UNDECIDED: "判定不能"}
TABLE = "通いの場参加者のフレイル状態の変化"


@dataclass(frozen=True)
class OutcomeRow:
    place_id: str
    place_name: str
    checked: Any  # int, or the Hidden mark
    first_levels: dict[str, Any]
    latest_levels: dict[str, Any]
    compared: Any
    changes: dict[str, Any]


def _row(suppressor: Suppressor, outcome: PlaceOutcome) -> OutcomeRow:
    place = outcome.place_id or "all"

    def group(kind: str, headings: dict[str, str], keys: tuple[str, ...], counts,
              total: tuple[str, int, tuple] | None) -> tuple[dict[str, Any], Any]:
        """The cells of one breakdown and its 計; a 計 printed once already (None) is only related to them."""
        cells = [(f"{outcome.place_name} {headings[key]}", counts[key]) for key in keys]
        cell_keys = [(place, kind, key) for key in keys]
        if total is None:
            shown, _ = suppressor.group(TABLE, cells, keys=cell_keys)
            suppressor.relation((place, "checked"), [k for k, (_, v) in zip(cell_keys, cells) if isinstance(v, int)])
            return dict(zip(keys, shown)), None
        label, value, total_key = total
        shown, shown_total = suppressor.group(TABLE, cells, (f"{outcome.place_name} {label}", value),
                                              keys=cell_keys, total_key=total_key)
        return dict(zip(keys, shown)), shown_total

    first, checked = group("first", {k: f"初回 {v}" for k, v in LEVEL_HEADINGS.items()}, LEVEL_KEYS,
                           outcome.first_levels, ("チェック実施者", outcome.checked, (place, "checked")))
    latest, _ = group("latest", {k: f"最新 {v}" for k, v in LEVEL_HEADINGS.items()}, LEVEL_KEYS,
                      outcome.latest_levels, None)
    changes, compared = group("change", CHANGE_HEADINGS, CHANGE_KEYS, outcome.changes,
                              ("2回以上実施", outcome.compared, (place, "compared")))
    return OutcomeRow(outcome.place_id, outcome.place_name, checked, first, latest, compared, changes)


def outcome_rows(found: Outcomes, *, suppress: bool = True) -> tuple[list[OutcomeRow], Suppressor]:
    """One row per place, then 全体; small counts hidden unless `suppress` is off (a センター's own use)."""
    def build(suppressor: Suppressor) -> list[OutcomeRow]:
        return [_row(suppressor, outcome) for outcome in (*found.places, found.total)]

    return protect(build, suppress)


def cell_text(value: Any) -> str:
    return value.text if isinstance(value, Hidden) else str(value)


def cell_json(value: Any) -> int | str:
    return value.text if isinstance(value, Hidden) else value
