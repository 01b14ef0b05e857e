"""The SQL form of the definitions of ../shared/domain.md that the 年度 aggregation (aggregates.py) and the
reports (report_queries.py) both use, each written once, so a headline and its table by 区市町村 cannot count
different records. Fragments read the named parameters that `period_params` makes: :start and :end (ISO dates
of the period, usually a 年度) and :muni (a 区市町村 code, NULL for all)."""

from __future__ import annotations

from datetime import date


def period_params(start: date, end: date, municipality_code: str | None = None,
                  **more: object) -> dict[str, object]:
    return {"start": start.isoformat(), "end": end.isoformat(), "muni": municipality_code, **more}


def active_place(alias: str) -> str:
    """Active place in the period: not deleted, and its open period (start .. end; no start = open since
    ever, no end = still open) overlaps the period."""
    return (f"{alias}.deleted_at IS NULL"
            f" AND ({alias}.start_date IS NULL OR {alias}.start_date <= :end)"
            f" AND ({alias}.end_date IS NULL OR {alias}.end_date >= :start)")


def employed(alias: str) -> str:
    """A promoter employed, or a promoter's assignment to a place running, at any time in the period: not
    deleted, started by its end and not ended before its start (start_date is required for both)."""
    return (f"{alias}.deleted_at IS NULL AND {alias}.start_date <= :end"
            f" AND ({alias}.end_date IS NULL OR {alias}.end_date >= :start)")


def in_municipality(column: str) -> str:
    """The 区市町村 filter: every one when :muni is NULL."""
    return f"(:muni IS NULL OR {column} = :muni)"


def gathering_in_municipality() -> str:
    """A gathering's place lies in :muni (every one when NULL), filtered by place id so the covering indexes on
    gatherings need no join per row."""
    return "(:muni IS NULL OR place_id IN (SELECT id FROM places WHERE municipality_code = :muni))"
