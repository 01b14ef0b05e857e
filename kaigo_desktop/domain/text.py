"""Normalising spreadsheet cells: text, yes/no flags, lists, counts, times and name keys."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal

# Full-width forms turned into ASCII: letters, digits and the symbols used inside numbers, dates, times,
# codes, addresses and e-mail. Full-width brackets and ～ stay, because vocabulary labels and import
# headers are written with them (住民団体（自治会・NPO法人等）, 65～74歳, 時間（分）).
_FULLWIDTH_TO_ASCII = {
    **{code: code - 0xFEE0 for code in range(ord("０"), ord("９") + 1)},
    **{code: code - 0xFEE0 for code in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{code: code - 0xFEE0 for code in range(ord("ａ"), ord("ｚ") + 1)},
    **{ord(c): ord(c) - 0xFEE0 for c in "－／．：＠＿＋＃％＆＝"},
    0x3000: ord(" "),
}
_HALFWIDTH_KANA = re.compile(r"[\uFF61-\uFF9F]+")
_WHITESPACE = re.compile(r"\s+")


def _text(value: str) -> str:
    value = value.translate(_FULLWIDTH_TO_ASCII)
    # Half-width katakana (and its ﾞﾟ marks) become full-width as NFKC does; kanji and the rest are left alone.
    value = _HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value)
    return _WHITESPACE.sub(" ", value).strip()


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def is_digits(text: str) -> bool:
    """Whether `text` is one or more of the digits 0-9 and nothing else: what int() may then be given.
    str.isdigit() also says yes to ², ① and other scripts' digits, which int() refuses (a traceback) or reads
    as another number."""
    return text.isascii() and text.isdigit()


def normalize_cell(value: object) -> str:
    """A cell as clean text: None → ""; full-width letters, digits and spaces → ASCII; half-width katakana
    → full-width; whitespace collapsed and stripped; 12.0 → "12"; dates ISO; times HH:MM."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a boolean cell
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return _text(str(value))


_YES = frozenset({"○", "◯", "〇", "1", "はい", "TRUE", "true", "True", "有", "あり", "✓", "✔"})
_NO = frozenset({"", "0", "×", "✕", "✗", "いいえ", "FALSE", "false", "False", "無", "なし", "-"})


def parse_flag(value: object) -> bool:
    """Yes/no from a cell: ○ ◯ 〇 1 はい TRUE 有 あり ✓ are yes; blank 0 × ✕ いいえ FALSE 無 なし - are no."""
    if isinstance(value, bool):
        return value
    text = normalize_cell(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"はい/いいえとして読めません: {text}")


# Not ・: it sits inside single names such as 管理栄養士・栄養士.
_LIST_SEPARATORS = re.compile(r"[、,，;；]")


def parse_list(value: object) -> list[str]:
    """Items of a list cell separated by 、 , ， ; ；, each cleaned, blanks dropped."""
    text = normalize_cell(value)
    items = (item.strip() for item in _LIST_SEPARATORS.split(text))
    return [item for item in items if item]


_PLAIN_INT = re.compile(r"^\d+$")
_GROUPED_INT = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_INTEGRAL_DECIMAL = re.compile(r"^\d+\.0*$")
_YEN_SIGNS = ("¥", "￥", "\\")  # Japanese keyboards type the yen sign as a backslash in ASCII fonts
_MOST_DIGITS = 100  # far beyond every bound, and int() of this many digits is cheap


def _is_integral(value: float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return value.is_integer()  # False for nan and inf too


def count_message(field_label: str, value: object) -> str:
    """What every path says about a count it cannot read."""
    text = str(value)
    return f"{field_label}は0以上の整数で入力してください: {text if len(text) <= 40 else text[:40] + '…'}"


def parse_count(value: object, *, field_label: str, units: tuple[str, ...] = ()) -> int | None:
    """A count or amount as people type or spreadsheets hold it; the one parser of every path (forms, cell
    editors, CSV/Excel import). Blank → None. Accepted: half- and full-width digits, thousands separators
    ("1,234", "１，２３４"), surrounding blanks, one of `units` after the number ("20人", "90分", "1,234円";
    with 円 also ¥ before it), 12.0 and "12.0". Refused with count_message: negatives, fractions, other text, True.
    The field's bound is not checked here but by validation.check_count, where every record is checked."""
    message = count_message(field_label, value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, int):
        number = value
    elif isinstance(value, (float, Decimal)):
        if not _is_integral(value):
            raise ValueError(message)
        number = int(value)
    else:
        text = normalize_cell(value).replace("，", ",")
        unit = next((unit for unit in units if text.endswith(unit)), "")
        text = text.removesuffix(unit).rstrip() if unit else text
        if "円" in units:
            text = next((text[1:].lstrip() for sign in _YEN_SIGNS if text.startswith(sign)), text)
        if not text:
            if normalize_cell(value):
                raise ValueError(message)  # the unit alone
            return None
        if _PLAIN_INT.match(text) or _GROUPED_INT.match(text):
            digits = text.replace(",", "")
        elif _INTEGRAL_DECIMAL.match(text):
            digits = text.split(".")[0]
        else:
            raise ValueError(message)
        digits = digits.lstrip("0") or "0"
        if len(digits) > _MOST_DIGITS:
            raise ValueError(f"{field_label}の数が大きすぎます（{len(digits):,}桁）。")
        number = int(digits)
    if number < 0:
        raise ValueError(message)
    return number


_CLOCK = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::\d{2})?$")
_KANJI_CLOCK = re.compile(r"^(?P<h>\d{1,2})時(?:(?P<m>\d{1,2})分)?$")


def parse_time(value: object) -> str | None:
    """A time of day as "HH:MM": from "9:30", "09:30", "９：３０", "9時30分", a time or datetime, or an Excel
    time fraction (0 ≤ x < 1); blank → None; otherwise ValueError."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        if minutes < 24 * 60:
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, (bool, int, float)):
        raise ValueError(f"時刻として読めません（例: 9:30）: {value}")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    match = _CLOCK.match(text) or _KANJI_CLOCK.match(text)
    if match:
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}"
    raise ValueError(f"時刻として読めません（例: 9:30）: {value}")


_HIRAGANA_TO_KATAKANA = {
    **{code: code + 0x60 for code in range(0x3041, 0x3097)},  # ぁ..ゖ → ァ..ヶ
    0x309D: 0x30FD, 0x309E: 0x30FE,  # ゝゞ → ヽヾ
}


def to_katakana(s: str) -> str:
    """Hiragana turned into katakana; everything else unchanged."""
    return s.translate(_HIRAGANA_TO_KATAKANA)


# Variant spellings people use interchangeably for the same name, folded for duplicate detection.
_NAME_VARIANTS = str.maketrans({
    "ヶ": "ケ", "ヵ": "ケ",
    "髙": "高", "﨑": "崎",
    "邊": "辺", "邉": "辺",
    "齋": "斉", "齊": "斉",
})


def name_key(s: str) -> str:
    """A key under which spellings of the same name meet: NFKC, no spaces, katakana, ヶ/ヵ→ケ, 髙→高,
    﨑→崎, 邊/邉→辺, 齋/齊→斉, lower case. For finding likely duplicates, never for display."""
    text = unicodedata.normalize("NFKC", s or "")
    text = to_katakana(_WHITESPACE.sub("", text)).translate(_NAME_VARIANTS).lower()
    # Removing spaces can leave a combining mark next to a new base letter; compose again so the key is stable.
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------- finding by what is typed

def search_key(*texts: str) -> str:
    """What the pickers match typed text against: each of a record's texts (name, よみ, code …) folded as
    name_key folds them, one per line, so 「さとう」「サトウ」「ｻﾄｳ」 and 「佐藤」 are all found in 佐藤 / サトウ."""
    return "\n".join(name_key(text) for text in texts if text)


def search_query(typed: str) -> str:
    """Typed text folded the same way (a query never holds a line break: name_key drops whitespace)."""
    return name_key(typed)


def matches_search(typed: str, key: str) -> bool:
    """The one matching rule of every picker: the folded typed text is part of one of the folded texts."""
    query = search_query(typed)
    return bool(query) and query in key
