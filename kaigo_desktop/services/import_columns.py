"""What each kind of import file expects, column by column: the header, whether it is required, and the
values it takes where they come from a list — read from the same layouts and lists the import itself uses,
so the template, the import dialog and the import cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaigo_desktop.domain.checklist import BMI_ITEM, CHECKLIST_ITEMS, QUESTIONNAIRE_ITEMS
from kaigo_desktop.domain.fiscal import fiscal_year_range
from kaigo_desktop.domain.short_term_cases import MEASURES, OUTCOMES, REFERRAL_SOURCES
from kaigo_desktop.domain.vocab import PROFESSIONAL_KINDS, PROGRAM_LABELS
from kaigo_desktop.services.importing import IMPORT_KINDS, layout_of
from kaigo_desktop.services.importing_cases import followup_headers, measure_header
from kaigo_desktop.services.importing_context import CODE, PLACE_ID, PLACE_NAME
from kaigo_desktop.services.importing_figures import PROGRAM_LABELS_IN_ORDER
from kaigo_desktop.services.importing_participants import questionnaire_header
from kaigo_desktop.services.importing_registry import PLACE_CHOICES, PROGRAM_HEADERS
from kaigo_desktop.storage import aggregates, check_queries, lookups
from kaigo_desktop.storage.database import Database

# A column filled from one reference list (besides the places' own, in importing_registry.PLACE_CHOICES).
ONE_OF_LIST = {**PLACE_CHOICES, "職種": "qualifications", "活動区分": "activity_kinds",
               "経費区分": "expense_categories"}
# Columns that take several values from a list, separated by 「、」.
SEVERAL_OF_LIST = {"主な活動内容": "main_activity_kinds"}
SEVERAL_FIXED = {"実施プログラム": PROGRAM_LABELS_IN_ORDER, "専門職の関与": PROFESSIONAL_KINDS}
# Columns that take one of a fixed list: the 後期高齢者の質問票's answers, as words (domain/checklist.py).
ONE_FIXED = {questionnaire_header(n): choices for n, (_, _, choices) in QUESTIONNAIRE_ITEMS.items()}
FLAG_VALUES = ("○", "×")  # what a yes/no column shows in its list (parse_flag reads more)
FORMATS = {"開催日": "日付（2025/4/1、令和7年4月1日、R7.4.1）", "活動日": "日付", "開始日": "日付", "終了日": "日付",
           "配置開始日": "日付", "配置終了日": "日付", "基準日": "日付", "開始時刻": "時刻（9:30）",
           "終了時刻": "時刻（11:00）", "年度": "年度（2025、令和7年度）", CODE: "6桁の全国地方公共団体コード",
           PLACE_ID: "", "金額": "0以上の整数（円）",
           "時間（分）": "0以上の整数（分）", "郵便番号": "123-4567（数字7桁）",
           "緯度": "度（世界測地系、例: 35.6895）", "経度": "度（世界測地系、例: 139.6917）",
           "料金": "文字（例: 無料、1回100円）",
           # participants and checks (issue 19; services/importing_participants.py)
           "参加者番号": "センターの参加者番号（参加者の取り込みで空欄なら自動で付番）", "生まれ年": "西暦4桁（1944）",
           "生まれ月": "1〜12", "性別": "男性・女性・不明", "よみ": "ひらがな・カタカナ",
           "通いの場": "通いの場の名称（複数は「、」区切り）", "参加開始日": "日付", "参加終了日": "日付", "実施日": "日付",
           "記入者": "文字（空欄ならログインした利用者名）", "身長(cm)": "100〜220（小数点以下1桁まで）",
           "体重(kg)": "20〜200（小数点以下1桁まで）",
           **{f"No.{n}": f"「{question}」はい・いいえ（未回答は空欄）"
              for n, question in CHECKLIST_ITEMS.items() if n != BMI_ITEM},
           "回答日": "日付（未来・生まれ年月より前は不可）",
           **{questionnaire_header(n): f"「{question}」（未回答は空欄。選択肢の番号 1〜{len(choices)} も可）"
              for n, (_, question, choices) in QUESTIONNAIRE_ITEMS.items()},
           # 短期集中予防サービス cases (issue 19; services/importing_cases.py)
           "紹介日": "日付", "紹介元": "・".join(REFERRAL_SOURCES),
           "初回アセスメント日": "日付（その日の基本チェックリストがあれば結びつける）",
           "再アセスメント日": "日付（その日の基本チェックリストがあれば結びつける）",
           "サービス開始日": "日付", "サービス終了日": "日付（おおむね3か月）", "実施回数": "0〜200",
           "地域ケア会議日": "日付", "地域ケア会議の決定": "文字（200文字まで）", "結果": "・".join(OUTCOMES),
           "結果の通いの場": "通いの場の名称（結果が通いの場へのとき）",
           **{measure_header(stage, name): f"{low}〜{high}（小数点以下1桁まで）"
              for stage in ("initial", "final") for name, (_, (low, high), _) in MEASURES.items()},
           **{header: note for months in (6, 12) for header, note in zip(
               followup_headers(months), ("日付", "はい・いいえ（空欄可）", "ロバスト・プレフレイル・フレイル（空欄可）"))}}
COUNT_NOTE = "0以上の整数（全角、「1,234」「20人」も可）"
COUNTS = ("参加者数", "新規参加者数", "実人数", "男性", "女性", "65歳未満", "65～74歳", "75歳以上", "定員",
          "65歳以上人口", "75歳以上人口")


@dataclass(frozen=True)
class ImportColumn:
    header: str
    required: bool
    choices: tuple[str, ...] = ()  # the values the column takes, when they come from a list
    several: bool = False  # several values of `choices`, separated by 「、」
    note: str = ""  # what else the column takes (a date, a count …)


def import_columns(db: Database, kind: str, municipality_code: str | None = None) -> list[ImportColumn]:
    """The columns of an import file of `kind` (one of IMPORT_KINDS), in the order the template puts them.
    For one 区市町村, its code is the only one listed and the records that name a place get a list of its
    places (typing a place's name exactly is what most often fails an import)."""
    layout = layout_of(kind)
    codes = ((municipality_code,) if municipality_code
             else tuple(m.code for m in lookups.municipalities(db)))
    columns = []
    for header in layout.headers:
        required = header in layout.required
        either = [group for group in layout.one_of if header in group]
        note = FORMATS.get(header, COUNT_NOTE if header in COUNTS else "")
        if either:  # a place by its ID, or by 区市町村コード + 名称
            note = "「" + "」か「".join("・".join(group) for group in layout.one_of) + "」のどちらかが必要。" + note
        if header in ONE_OF_LIST:
            column = ImportColumn(header, required, tuple(lookups.vocabulary(db, ONE_OF_LIST[header])))
        elif header in SEVERAL_OF_LIST:
            column = ImportColumn(header, required, tuple(lookups.vocabulary(db, SEVERAL_OF_LIST[header])), True)
        elif header in ONE_FIXED:
            column = ImportColumn(header, required, tuple(ONE_FIXED[header]), note=note)
        elif header in SEVERAL_FIXED:
            column = ImportColumn(header, required, tuple(SEVERAL_FIXED[header]), True)
        elif header in PROGRAM_HEADERS:
            column = ImportColumn(header, required, FLAG_VALUES, note=f"{PROGRAM_LABELS[PROGRAM_HEADERS[header]]}を実施")
        elif header == CODE:
            column = ImportColumn(header, required, codes, note=note)
        elif header == PLACE_NAME and municipality_code:
            column = ImportColumn(header, required, tuple(lookups.place_names(db, municipality_code)), note=note)
        else:
            column = ImportColumn(header, required, note=note)
        columns.append(column)
    return columns


def template_rows(db: Database, kind: str, municipality_code: str | None,
                  fiscal_year: int | None) -> list[dict[str, Any]]:
    """Rows a template starts with, where that helps: for 参加者実人数, one row per place active in the 年度
    (its ID, code and name filled in, the counts left blank)."""
    if kind != "members" or fiscal_year is None:
        return []
    start, end = fiscal_year_range(fiscal_year)
    places = check_queries.active_places(db, aggregates.Scope(start, end, municipality_code))
    return [{PLACE_ID: row["id"], CODE: row["municipality_code"], PLACE_NAME: row["name"], "年度": fiscal_year}
            for row in places]


__all__ = ["IMPORT_KINDS", "ImportColumn", "import_columns", "template_rows"]
