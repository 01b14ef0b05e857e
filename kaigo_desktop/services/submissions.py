"""The 区市町村 side of the metropolitan view (issue 18): the declared 短期集中予防サービス of a 年度, and the
signed submission file (.kaigo-sub) 東京都 imports. A submission holds the 年度's aggregate figures only — the
`stats --json` object, promoter and subsidy figures, program coverage, the declaration and the lock state —
never a name, contact or row-level record; it is signed with this database's own key (bundle_signing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kaigo_desktop import __version__
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.domain.vocab import PROGRAM_CODES
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.services import approval, bundle_signing, rights, setup, short_term_cases
from kaigo_desktop.services import submission_format as fmt
from kaigo_desktop.services.output_files import FORCE_HINT, check_output_path
from kaigo_desktop.services.stats import fiscal_year_stats, require_records
from kaigo_desktop.storage import metro_queries as q
from kaigo_desktop.storage.database import Database, utc_now

NOT_LOCKED_WARNING = "この年度はロックされていません。数値は今後変わる可能性があります。"
MAX_USERS = 1_000_000


class DeclarationError(UserFacingError, ValueError):
    kind = "declaration"


@dataclass(frozen=True)
class ShortTermServiceDeclaration:
    offered: bool
    users: int | None
    updated_at: str | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class SubmissionExported:
    path: Path
    fiscal_year: int
    municipality_code: str
    locked: bool
    warning: str | None


def _refuse_on_metro(db: Database) -> None:
    if q.is_metro(db):
        raise DeclarationError("このデータベースは東京都用（集計用）です。提出ファイルや短期集中予防サービスの申告は"
                               "区市町村のデータベースで扱ってください。", kind="metro_database")


# ---- 短期集中予防サービス -------------------------------------------------------------------------------

def short_term_service_declaration(db: Database, fiscal_year: int,
                                   municipality_code: str) -> ShortTermServiceDeclaration:
    """What the 区市町村 declared for the 年度; not offered (users unknown) until it declares."""
    row = q.declaration(db, fiscal_year, municipality_code)
    if row is None:
        return ShortTermServiceDeclaration(False, None)
    return ShortTermServiceDeclaration(bool(row["offered"]), row["users"], row["updated_at"], row["updated_by"])


def set_short_term_service_declaration(db: Database, fiscal_year: int, municipality_code: str, offered: bool,
                                       users: int | None) -> None:
    """Entered in マスタ・設定 by the 区市町村管理者; refused in a locked 年度 (the lock's trigger refuses it on any
    other path too)."""
    _refuse_on_metro(db)
    setup.require_municipality(db, municipality_code)
    rights.require(db, roles.ADMINISTER)
    if users is not None and (isinstance(users, bool) or not isinstance(users, int) or not 0 <= users <= MAX_USERS):
        raise DeclarationError(f"利用者数は 0 から {MAX_USERS:,} までの整数で入力してください。", field="users")
    if not offered and users:
        raise DeclarationError("短期集中予防サービスを実施していない年度には利用者数を入力できません。", field="users")
    with db.write() as stamp:
        reason = approval.locked_reason(db, fiscal_year, municipality_code)
        if reason:
            raise DeclarationError(reason, kind="PERIOD_LOCKED")
        q.save_declaration(db, stamp, fiscal_year, municipality_code, offered, users if offered else None)


# ---- the submission ---------------------------------------------------------------------------------------

def submission_content(db: Database, fiscal_year: int, municipality_code: str, *, today: date | None = None,
                       allow_empty: bool = False) -> fmt.Content:
    """The 年度's aggregate figures for 東京都 (nothing that names a place, person or center)."""
    name = setup.require_municipality(db, municipality_code)
    stats = fiscal_year_stats(db, fiscal_year, municipality_code, today)
    if not allow_empty:
        require_records(stats, name)
    status = approval.period_status(db, fiscal_year, municipality_code)
    declared = short_term_service_declaration(db, fiscal_year, municipality_code)
    by_program = {code: stats.survey.by_program.get(code, 0) for code in PROGRAM_CODES}
    return fmt.Content(
        fiscal_year=fiscal_year, municipality_code=municipality_code, complete=stats.complete,
        as_of=stats.as_of.isoformat() if stats.as_of else None,
        stats=stats.to_json_dict(),
        participation=fmt.Participation(stats.population_65_plus, stats.members_65_plus,
                                        stats.members_65_plus_weekly, stats.weekly_participation_rate),
        promoters=fmt.Promoters(stats.promoters_placed, stats.promoter_cap, dict(stats.promoter_activities),
                                stats.promoter_activity_minutes),
        subsidy=fmt.Subsidy(stats.subsidy.base, stats.subsidy.eligible, stats.subsidy.claim),
        program_coverage=fmt.ProgramCoverage(stats.survey.places if stats.survey.final else None, by_program,
                                             [code for code in PROGRAM_CODES if by_program[code] > 0]),
        short_term_service=fmt.ShortTermService(declared.offered, declared.users),
        approval=fmt.Approval(status.locked, status.locked_at, len(status.centers),
                              len(status.centers) - len(status.unconfirmed)),
        short_term_records=short_term_records(db, fiscal_year, municipality_code),
    )


def short_term_records(db: Database, fiscal_year: int, municipality_code: str) -> fmt.ShortTermRecords | None:
    """事項3 from the cases, suppressed for 東京都; None when the 年度 has no user in them (the declaration
    stands)."""
    found = short_term_cases.case_figures(db, fiscal_year, municipality_code)
    if found.users == 0:
        return None
    shown = stc.suppressed(found)
    return fmt.ShortTermRecords(shown.users, shown.evaluated, shown.improved, shown.connected, shown.attending,
                                shown.improved_share, shown.attending_share, list(shown.hidden))


def submission_bytes(db: Database, fiscal_year: int, municipality_code: str, *, today: date | None = None,
                     allow_empty: bool = False) -> tuple[bytes, fmt.Header]:
    """The signed file's bytes and its header."""
    content = submission_content(db, fiscal_year, municipality_code, today=today, allow_empty=allow_empty)
    content_data = fmt.content_bytes(content)
    fmt.decode_content(content_data)  # never write what 東京都's reader would refuse (a bug, not the user's)
    header = fmt.Header(
        format=fmt.FORMAT, format_version=fmt.FORMAT_VERSION, source_db=db.database_id,
        source_name=setup.require_municipality(db, municipality_code), created_at=utc_now(),
        created_by=db.audit_name, app_version=__version__, fiscal_year=fiscal_year,
        municipality_code=municipality_code, municipality_name=setup.require_municipality(db, municipality_code),
        locked=content.approval.locked, content_sha256=fmt.sha256(content_data))
    header_data = fmt.encode(header)
    signature = bundle_signing.signature_member(db, header_data, content_data)
    return fmt.pack(header_data, content_data, signature), header


def export_submission(db: Database, fiscal_year: int, municipality_code: str, out: Path, *, force: bool = False,
                      today: date | None = None, allow_empty: bool = False) -> SubmissionExported:
    """Write the signed submission to `out` (whole or not at all; the output guard of reports and bundles
    first). From an unlocked 年度 it is written all the same, with `warning` saying the figures may change."""
    _refuse_on_metro(db)
    rights.require(db, roles.EXCHANGE)
    out = check_output_path(out, db, force=force, exists_hint=FORCE_HINT)
    data, header = submission_bytes(db, fiscal_year, municipality_code, today=today, allow_empty=allow_empty)
    from kaigo_desktop.services.exchange import write_whole  # the bundles' own writer

    write_whole(out, data)
    return SubmissionExported(out, fiscal_year, municipality_code, header.locked,
                              None if header.locked else NOT_LOCKED_WARNING)


def describe(exported: SubmissionExported, municipality_name: str) -> str:
    state = "ロック済み" if exported.locked else "未ロック"
    return (f"{format_fiscal_year(exported.fiscal_year)} {municipality_name}（{exported.municipality_code}）の"
            f"提出ファイルを書き出しました（{state}）: {exported.path}")
