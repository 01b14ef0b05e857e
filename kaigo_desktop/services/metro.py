"""The 東京都 side of the metropolitan view (issue 18): a database made with `init --metro` trusts one key (or
more) per 区市町村, imports their signed submissions (.kaigo-sub; a newer one for the same 年度 replaces the
older, which is kept with when and why) and turns the current ones into Tokyo's evaluation sheet: per 事項 the
target, the actual count per 年度 (the last three side by side) and the 区市町村 counted, and the outcome
indicators. Signatures and trust files are bundle_signing's: one signing scheme for bundles and submissions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kaigo_desktop.domain import roles, rules
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.domain.vocab import PROGRAM_CODES, PROGRAM_LABELS
from kaigo_desktop.services import bundle_signing, rights, setup
from kaigo_desktop.services import submission_format as fmt
from kaigo_desktop.services.overview import is_metro_database
from kaigo_desktop.services.submission_format import SubmissionError
from kaigo_desktop.storage import lookups
from kaigo_desktop.storage import metro_queries as q
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.metro_queries import TrustedKey

__all__ = [
    "EvaluationSheet", "ImportedSubmission", "Indicator", "MetroError", "SheetItem", "SubmissionError",
    "SubmissionStatus", "TrustedKey", "evaluation_sheet", "import_submissions", "init_metro", "is_metro_database",
    "item_rules", "item_targets", "set_indicator", "set_item_rule", "set_item_target", "sheet_json", "submission_statuses",
    "trust_municipality_key", "trusted_municipalities",
]

ITEMS = ("1", "2", "3")
ITEM_TITLES = {
    "1": "通いの場で多様な予防プログラムを展開する区市町村",
    "2": "介護予防・フレイル予防推進員を配置する区市町村",
    "3": "短期集中予防サービスに取り組む区市町村",
}
WEEKLY = "weekly_participation_rate"
HEALTHY_LIFE = "healthy_life_expectancy"
IKIGAI = "ikigai_rate"
INDICATOR_TITLES = {HEALTHY_LIFE: "健康寿命", IKIGAI: "生きがいを感じる人の率",
                    WEEKLY: "週1回以上活動に参加している人の率"}
INDICATOR_UNITS = {HEALTHY_LIFE: "歳", IKIGAI: "%", WEEKLY: "%"}
ENTERED_INDICATORS = (HEALTHY_LIFE, IKIGAI)
SUBMISSIONS_SOURCE = "区市町村の提出ファイル（Kaigo Desktop）"
SOURCE_LIMIT = 200


class MetroError(UserFacingError, ValueError):
    """A metropolitan action refused (not a metro database, a bad target or indicator, trust refused)."""

    kind = "metro"


# ---- the database ----------------------------------------------------------------------------------------

def require_metro(db: Database) -> None:
    if not q.is_metro(db):
        raise MetroError("このデータベースは区市町村用です。東京都の集計は `kaigo-desktop init --metro` で作成した"
                         "東京都用のデータベースで行ってください。", kind="not_metro")


def init_metro(db: Database) -> str:
    """Make this (new or empty) database 東京都's; idempotent. A database holding a 区市町村's records is refused."""
    rights.require(db, roles.ADMINISTER)
    with db.write() as stamp:
        if not q.is_metro(db) and q.holds_municipal_records(db):
            raise MetroError("このデータベースには区市町村の記録があるため、東京都用にできません。新しいファイル名を"
                             "指定してください。データベースは変更していません。", kind="municipal_database")
        q.mark_metro(db, stamp)
    return (f"東京都用（集計用）データベース: 区市町村 {len(lookups.municipalities(db))}、"
            f"信頼する鍵 {len(q.trusted_keys(db))}")


# ---- trust -----------------------------------------------------------------------------------------------

def trust_municipality_key(db: Database, municipality_code: str, trust_file: Path,
                           fingerprint: str | None) -> TrustedKey:
    """Trust the key in a 区市町村's trust file (`bundle trust export` on its PC) for its submissions; the
    fingerprint read out by phone must match when given. Trusting the same key again changes nothing."""
    require_metro(db)
    name = setup.require_municipality(db, municipality_code)
    rights.require(db, roles.EXCHANGE)
    try:
        signer = bundle_signing.read_trust_file(trust_file)
    except bundle_signing.TrustError as error:
        raise MetroError(str(error), kind="trust") from error
    if fingerprint is not None and bundle_signing.normalise_fingerprint(fingerprint) != signer.fingerprint:
        raise MetroError(f"指紋が一致しません（入力: {fingerprint.strip()}、ファイル: {signer.fingerprint}）。"
                         "信頼していません。区市町村の担当者にもう一度確かめてください。", kind="trust")
    with db.write() as stamp:
        owner = q.key_owner(db, signer.public_key)
        if owner == municipality_code:
            return next(k for k in q.trusted_keys(db, municipality_code) if k.public_key == signer.public_key)
        if owner is not None:
            raise MetroError(f"この鍵（指紋 {signer.fingerprint}）は別の区市町村（{owner}）の鍵として信頼済みです。"
                             "信頼していません。", kind="trust")
        if any(k.database_id == signer.database_id for k in q.trusted_keys(db, municipality_code)):
            raise MetroError(f"{name}のデータベース ID {signer.database_id} は別の鍵で信頼済みです。"
                             "偽造の可能性があるため、信頼していません。", kind="trust")
        key = TrustedKey(municipality_code, signer.database_id, signer.name, signer.public_key, signer.fingerprint,
                         stamp.at, db.audit_name)
        q.add_trusted_key(db, key)
    return key


def trusted_municipalities(db: Database) -> list[TrustedKey]:
    require_metro(db)
    return q.trusted_keys(db)


# ---- import ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportedSubmission:
    municipality_code: str
    municipality_name: str
    fiscal_year: int
    replaced: bool  # an earlier submission for the same 区市町村 and 年度 was replaced
    locked: bool = False
    created_at: str = ""
    created_by: str = ""
    path: Path | None = None
    unchanged: bool = False  # the very same submission was imported before: nothing written


@dataclass
class _Checked:
    path: Path
    unpacked: fmt.Unpacked
    fingerprint: str


def _check(db: Database, path: Path) -> _Checked:
    """One file read, its signature verified and its key trusted for the 区市町村 it names; SubmissionError."""
    name = Path(path).name
    unpacked = fmt.read_file(path)
    try:
        public_key = bundle_signing.verify(unpacked.signature_bytes, unpacked.header_bytes, unpacked.content_bytes)
    except (bundle_signing.SignatureError, UserFacingError) as error:
        raise fmt.refused(name, str(error)) from error
    header = unpacked.header
    key_print = bundle_signing.fingerprint(public_key)
    owner = q.key_owner(db, public_key)
    if owner is None:
        raise fmt.refused(name, f"{header.municipality_name}（{header.municipality_code}）の信頼する鍵で署名されて"
                                f"いません（指紋 {key_print}）。区市町村の信頼ファイルを登録してください"
                                f"（kaigo-desktop metro trust add 信頼ファイル --municipality {header.municipality_code}）")
    if owner != header.municipality_code:
        raise fmt.refused(name, f"{header.municipality_code} の提出として、別の区市町村（{owner}）の鍵で署名されて"
                                "います（なりすましの可能性）")
    if lookups.municipality(db, header.municipality_code) is None:
        raise fmt.refused(name, f"区市町村コード {header.municipality_code} は東京都の62区市町村にありません")
    return _Checked(Path(path), unpacked, key_print)


def import_submissions(db: Database, paths: list[Path],
                       progress: Callable[[int, int], None] | None = None) -> list[ImportedSubmission]:
    """Import every file or none: all are read and checked first (size, format, signature, trusted key of the
    区市町村 it names, not older than the current one); then one transaction records them. A newer submission
    for the same 区市町村 and 年度 replaces the current one (kept, with when and why)."""
    require_metro(db)
    rights.require(db, roles.EXCHANGE)
    paths = [Path(p) for p in paths]
    if not paths:
        raise SubmissionError("取り込む提出ファイルを指定してください。")
    if len(paths) > fmt.MAX_FILES:
        raise SubmissionError(f"一度に取り込める提出ファイルは {fmt.MAX_FILES} 個までです（{len(paths)} 個）。")
    checked = []
    for done, path in enumerate(paths, 1):
        checked.append(_check(db, path))
        if progress:
            progress(done, len(paths) * 2)
    # Oldest first, so the newest of several files for one 区市町村 and 年度 ends up current.
    checked.sort(key=lambda c: (c.unpacked.header.created_at, c.unpacked.header.municipality_code))
    results: list[ImportedSubmission] = []
    with db.write() as stamp:
        for done, item in enumerate(checked, 1):
            results.append(_record(db, stamp, item))
            if progress:
                progress(len(paths) + done, len(paths) * 2)
    return results


def _record(db: Database, stamp, item: _Checked) -> ImportedSubmission:
    header = item.unpacked.header
    code, year = header.municipality_code, header.fiscal_year
    name = lookups.municipality(db, code).name
    current = q.current_submission(db, code, year)
    result = dict(municipality_code=code, municipality_name=name, fiscal_year=year, locked=header.locked,
                  created_at=header.created_at, created_by=header.created_by, path=item.path)
    if current is not None and current["content_sha256"] == header.content_sha256 \
            and current["created_at"] == header.created_at:
        return ImportedSubmission(replaced=False, unchanged=True, **result)
    if current is not None and current["created_at"] > header.created_at:
        raise fmt.refused(item.path.name, f"{format_fiscal_year(year)} {name} には、より新しい提出（作成 "
                                          f"{current['created_at']}）を取り込み済みです。古い提出では置き換えません")
    reason = f"新しい提出（作成 {header.created_at}）で置き換え"
    if current is not None:  # it leaves the current set first: the unique index holds one per 区市町村 and 年度
        q.mark_replaced(db, stamp, current["id"], None, reason)
    new_id = q.add_submission(
        db, stamp, municipality_code=code, fiscal_year=year, created_at=header.created_at,
        created_by=header.created_by, source_db=header.source_db, fingerprint=item.fingerprint,
        locked=header.locked, content=item.unpacked.content_bytes.decode("utf-8"),
        content_sha256=header.content_sha256, file_name=item.path.name)
    if current is not None:
        q.mark_replaced(db, stamp, current["id"], new_id, reason)
    return ImportedSubmission(replaced=current is not None, **result)


def _content(row) -> fmt.Content:
    """A stored submission's figures (checked when imported; decoded again by the same declaration)."""
    return fmt.decode_content(row["content"].encode("utf-8"))


# ---- 提出状況 ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubmissionStatus:
    municipality_code: str
    municipality_name: str
    submitted_at: str | None
    submitted_by: str | None
    signature_ok: bool | None
    locked: bool | None
    places: int | None
    promoters: int | None
    weekly_participation_rate: float | None
    replaced_count: int
    imported_at: str | None = None

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


def submission_statuses(db: Database, fiscal_year: int) -> list[SubmissionStatus]:
    """One row per 区市町村 (62, in code order): its current submission of the 年度, or blanks when missing.
    signature_ok says the key it was signed with is still trusted (it was verified when imported)."""
    require_metro(db)
    current = {row["municipality_code"]: row for row in q.current_submissions(db, fiscal_year)}
    replaced = q.replaced_counts(db, fiscal_year)
    trusted = {(k.municipality_code, k.fingerprint) for k in q.trusted_keys(db)}
    statuses = []
    for m in lookups.municipalities(db):
        row = current.get(m.code)
        if row is None:
            statuses.append(SubmissionStatus(m.code, m.name, None, None, None, None, None, None, None,
                                             replaced.get(m.code, 0)))
            continue
        content = _content(row)
        statuses.append(SubmissionStatus(
            m.code, m.name, row["created_at"], row["created_by"], (m.code, row["fingerprint"]) in trusted,
            bool(row["locked"]), content.program_coverage.survey_places, content.promoters.placed,
            content.participation.weekly_participation_rate, replaced.get(m.code, 0), row["imported_at"]))
    return statuses


# ---- the evaluation sheet --------------------------------------------------------------------------------

@dataclass
class SheetItem:
    number: str
    title: str
    target: int | None
    actual: int
    municipalities: list[str]
    target_year: int | None = None  # the 年度 the target is to be reached by (「令和5年度まで」)


@dataclass
class Indicator:
    key: str
    title: str
    tokyo: float | None
    by_municipality: dict[str, float | None]
    source: str | None
    source_year: int | None
    unit: str = ""


@dataclass
class EvaluationSheet:
    fiscal_year: int
    years: list[int]
    items: dict[int, dict[str, SheetItem]]
    indicators: dict[str, Indicator]
    definitions: dict[str, str]
    submitted: list[str]
    missing: list[str]
    municipality_names: dict[str, str] = field(default_factory=dict)
    unlocked: list[str] = field(default_factory=list)  # submitted from a 年度 not locked (figures may change)
    in_progress_years: list[int] = field(default_factory=list)  # 年度 with a submission made before its end


DEFINITION_TERMS = {"1": "事項1", "2": "事項2", "3": "事項3", WEEKLY: INDICATOR_TITLES[WEEKLY],
                    "entered": "健康寿命・生きがいを感じる人の率"}


def definitions(rules_by_item: dict[str, int]) -> dict[str, str]:
    """The counting rules in words (keyed as DEFINITION_TERMS), as the sheet prints them."""
    programs = "・".join(PROGRAM_LABELS[code] for code in PROGRAM_CODES)
    first = rules_by_item.get("1", 5)
    which = "5種類すべて" if first >= len(PROGRAM_CODES) else f"{first}種類以上"
    return {
        "1": f"調査対象の通いの場（基準月に開催のある活動中の通いの場）が合わせて予防プログラム（{programs}）の"
             f"{which}を提供している区市町村を数える。",
        "2": f"その年度に介護予防・フレイル予防推進員を{rules_by_item.get('2', 1)}人以上配置した区市町村を数える。",
        "3": f"短期集中予防サービス（C）のその年度の利用者が{rules_by_item.get('3', 1)}人以上の区市町村を数える。"
             "利用者数は区市町村が記録した事例から計算した値（提出ファイルの short_term_records。秘匿された1〜4人は"
             "基準が1人のときだけ数える）、事例の記録がなければ申告の値による。",
        WEEKLY: "実際の開催頻度が週1回以上の通いの場の参加者実人数（65歳以上）÷65歳以上人口×100（小数1桁、四捨五入）。"
                "東京都の率は提出のあった区市町村の参加者の合計÷65歳以上人口の合計であり、区市町村の率の平均ではない。",
        "entered": "このアプリの外の調査の値を、東京都の担当者が出典・年とともに入力する。",
    }


def _counted(item: str, content: fmt.Content, minimum: int) -> bool:
    if item == "1":
        return len(content.program_coverage.offered) >= min(minimum, len(PROGRAM_CODES))
    if item == "2":
        return content.promoters.placed >= minimum
    found = content.short_term_records
    if found is not None:  # computed from the cases: a hidden users count is 1–4, so it counts only at 1
        return found.users >= minimum if found.users is not None else minimum <= 1
    service = content.short_term_service
    return service.offered and (service.users or 0) >= minimum


def target_for(targets: list, item: str, year: int) -> tuple[int | None, int | None]:
    """The target counting for `year` and the 年度 it is due: the one set for that 年度, else the nearest one
    due later (「令和5年度まで」 covers the 年度 before it), else the last one set before it."""
    rows = sorted((row["fiscal_year"], row["target"]) for row in targets if row["item"] == item)
    for due, target in rows:
        if due >= year:
            return target, due
    return (rows[-1][1], rows[-1][0]) if rows else (None, None)


def evaluation_sheet(db: Database, fiscal_year: int) -> EvaluationSheet:
    """The sheet for `fiscal_year` with the two 年度 before it, from the current submissions."""
    require_metro(db)
    names = {m.code: m.name for m in lookups.municipalities(db)}
    minimums = q.item_rules(db)
    targets = q.targets(db)
    years = [fiscal_year - 2, fiscal_year - 1, fiscal_year]
    items: dict[int, dict[str, SheetItem]] = {}
    contents_of_year: dict[str, fmt.Content] = {}
    unlocked: list[str] = []
    in_progress: list[int] = []
    for year in years:
        rows = q.current_submissions(db, year)
        contents = {row["municipality_code"]: _content(row) for row in rows}
        if any(not content.complete for content in contents.values()):
            in_progress.append(year)
        if year == fiscal_year:
            contents_of_year = contents
            unlocked = [row["municipality_code"] for row in rows if not row["locked"]]
        items[year] = {}
        for item in ITEMS:
            counted = sorted(code for code, content in contents.items()
                             if _counted(item, content, minimums.get(item, 1)))
            target, due = target_for(targets, item, year)
            items[year][item] = SheetItem(item, ITEM_TITLES[item], target, len(counted), counted, due)
    indicators = {WEEKLY: _weekly_indicator(contents_of_year, fiscal_year)}
    entered = q.indicators(db, fiscal_year)
    for key in ENTERED_INDICATORS:
        row = entered.get(key)
        indicators[key] = Indicator(key, INDICATOR_TITLES[key], row["value"] if row else None, {},
                                    row["source"] if row else None, row["source_year"] if row else None,
                                    INDICATOR_UNITS[key])
    submitted = sorted(contents_of_year)
    return EvaluationSheet(fiscal_year, years, items, indicators, definitions(minimums), submitted,
                           [code for code in names if code not in contents_of_year], names, unlocked, in_progress)


def _weekly_indicator(contents: dict[str, fmt.Content], fiscal_year: int) -> Indicator:
    """Each 区市町村's rate as it submitted it; Tokyo's from the sums (participants ÷ population), over the
    区市町村 whose 65歳以上人口 is known."""
    by_municipality = {code: content.participation.weekly_participation_rate
                       for code, content in sorted(contents.items())}
    known = [c.participation for c in contents.values() if c.participation.population_65_plus]
    tokyo = rules.participation_rate(sum(p.weekly_members_65_plus for p in known),
                                     sum(p.population_65_plus for p in known)) if known else None
    return Indicator(WEEKLY, INDICATOR_TITLES[WEEKLY], tokyo, by_municipality, SUBMISSIONS_SOURCE, fiscal_year,
                     INDICATOR_UNITS[WEEKLY])


def sheet_json(sheet: EvaluationSheet) -> dict:
    """The `metro sheet --json` object (docs/formats.md)."""
    def item_dict(item: SheetItem) -> dict:
        return {"title": item.title, "target": item.target, "target_year": item.target_year,
                "actual": item.actual, "municipalities": list(item.municipalities)}

    return {
        "fiscal_year": sheet.fiscal_year,
        "years": list(sheet.years),
        "items": {number: {**item_dict(item),
                           "by_year": {str(year): item_dict(sheet.items[year][number]) for year in sheet.years}}
                  for number, item in sheet.items[sheet.fiscal_year].items()},
        "indicators": {key: {"title": ind.title, "tokyo": ind.tokyo, "unit": ind.unit,
                             "by_municipality": dict(ind.by_municipality), "source": ind.source,
                             "source_year": ind.source_year}
                       for key, ind in sheet.indicators.items()},
        "definitions": dict(sheet.definitions),
        "submitted": list(sheet.submitted),
        "missing": list(sheet.missing),
        "unlocked": list(sheet.unlocked),
        "in_progress_years": list(sheet.in_progress_years),
    }


# ---- targets, rules and indicators -------------------------------------------------------------------------

def _require_item(item: str) -> str:
    item = str(item).strip()
    if item not in ITEMS:
        raise MetroError(f"事項は 1・2・3 のいずれかです（指定: {item}）。", field="item")
    return item


def item_targets(db: Database) -> list[tuple[str, int, int | None]]:
    """Every target set: (事項, the 年度 it is due, 区市町村 or None), for the screen that edits them."""
    require_metro(db)
    return [(row["item"], row["fiscal_year"], row["target"]) for row in q.targets(db)]


def item_rules(db: Database) -> dict[str, int]:
    """How each 事項 counts (see definitions): {"1": program types, "2": 推進員, "3": users}."""
    require_metro(db)
    return q.item_rules(db)


def set_item_target(db: Database, item: str, fiscal_year: int, target: int | None) -> None:
    require_metro(db)
    rights.require(db, roles.ADMINISTER)
    item = _require_item(item)
    if target is not None and (isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= 62):
        raise MetroError("目標は 0 から 62 までの区市町村数で入力してください。", field="target")
    with db.write() as stamp:
        q.save_target(db, stamp, item, fiscal_year, target)


def set_item_rule(db: Database, item: str, minimum: int) -> None:
    """How a 区市町村 is counted: 事項1 program types (1–5), 事項2 推進員, 事項3 users at least `minimum`."""
    require_metro(db)
    rights.require(db, roles.ADMINISTER)
    item = _require_item(item)
    upper = len(PROGRAM_CODES) if item == "1" else 1_000_000
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= upper:
        raise MetroError(f"基準は 1 から {upper:,} までの整数で入力してください。", field="minimum")
    with db.write():
        q.save_item_rule(db, item, minimum)


def set_indicator(db: Database, key: str, fiscal_year: int, value: float | None, source: str,
                  source_year: int | None) -> None:
    """健康寿命 or 生きがいを感じる人の率 of a 年度, from a survey outside the app, with its source and year."""
    require_metro(db)
    rights.require(db, roles.ADMINISTER)
    if key not in ENTERED_INDICATORS:
        raise MetroError(f"入力できる指標は {', '.join(ENTERED_INDICATORS)} です（指定: {key}）。", field="key")
    source = (source or "").strip()
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= (150 if key == HEALTHY_LIFE else 100):
            raise MetroError(f"{INDICATOR_TITLES[key]}の値が範囲外です（{value}）。", field="value")
        if not source:
            raise MetroError("出典を入力してください（例: 東京都福祉局「高齢者の生活実態」）。", field="source")
    if len(source) > SOURCE_LIMIT:
        raise MetroError(f"出典は {SOURCE_LIMIT} 文字までです。", field="source")
    if source_year is not None and not 1900 <= source_year <= 2100:
        raise MetroError(f"出典の年が範囲外です（{source_year}）。", field="source_year")
    with db.write() as stamp:
        q.save_indicator(db, stamp, key, fiscal_year, None if value is None else float(value), source, source_year)


def municipality_of_trust_file(db: Database, trust_file: Path) -> str:
    """The 区市町村 a trust file names (its database's name begins with it: 「日野市 ○○センター」)."""
    try:
        signer = bundle_signing.read_trust_file(trust_file)
    except bundle_signing.TrustError as error:
        raise MetroError(str(error), kind="trust") from error
    found = [m.code for m in lookups.municipalities(db)
             if signer.name == m.name or signer.name.startswith(m.name + " ")]
    if len(found) != 1:
        raise MetroError(f"信頼ファイルの名前（{signer.name or '未設定'}）から区市町村が分かりません。"
                         "--municipality で区市町村コードを指定してください。", kind="trust")
    return found[0]


def sheet_text(sheet: EvaluationSheet) -> str:
    """The sheet as lines for a terminal."""
    lines = [f"評価シート {format_fiscal_year(sheet.fiscal_year)}（提出 {len(sheet.submitted)} / "
             f"{len(sheet.submitted) + len(sheet.missing)} 区市町村）"]
    for number in ITEMS:
        item = sheet.items[sheet.fiscal_year][number]
        due = f"（{format_fiscal_year(item.target_year)}まで）" if item.target_year else ""
        target = "なし" if item.target is None else f"{item.target}区市町村{due}"
        actuals = "  ".join(f"{format_fiscal_year(y)} {sheet.items[y][number].actual}" for y in sheet.years)
        names = "、".join(sheet.municipality_names.get(code, code) for code in item.municipalities) or "―"
        lines += [f"事項{number} {item.title}", f"  目標 {target}  実績 {actuals}", f"  該当: {names}"]
    for indicator in sheet.indicators.values():
        value = "―" if indicator.tokyo is None else f"{indicator.tokyo}{indicator.unit}"
        source = f"（出典: {indicator.source}{f'、{indicator.source_year}' if indicator.source_year else ''}）" \
            if indicator.source else ""
        lines.append(f"{indicator.title}: 東京都 {value}{source}")
    if sheet.unlocked:
        lines.append("未ロックの提出（数値は変わる可能性あり）: " + "、".join(
            sheet.municipality_names.get(code, code) for code in sheet.unlocked))
    lines += ["定義:", *(f"  {DEFINITION_TERMS.get(key, key)}: {text}" for key, text in sheet.definitions.items())]
    return "\n".join(lines)
