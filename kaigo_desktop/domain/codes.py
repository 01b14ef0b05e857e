"""全国地方公共団体コード: the 6-digit municipality code and its check digit."""

from __future__ import annotations

import re
import unicodedata

_WEIGHTS = (6, 5, 4, 3, 2)
_ASCII_DIGITS = re.compile(r"^[0-9]+$")


def municipality_check_digit(first5: str) -> int:
    """Check digit of the first five digits: S = 6·d1+5·d2+4·d3+3·d4+2·d5, (11 − S mod 11) mod 10."""
    if len(first5) != 5 or not _ASCII_DIGITS.match(first5):
        raise ValueError(f"区市町村コードの先頭5桁は数字5桁で指定してください: {first5}")
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, first5))
    return (11 - total % 11) % 10


def is_valid_municipality_code(code: str) -> bool:
    """True for six ASCII digits whose last one is the right check digit."""
    if not isinstance(code, str) or len(code) != 6 or not _ASCII_DIGITS.match(code):
        return False
    return municipality_check_digit(code[:5]) == int(code[5])


def normalize_municipality_code(value: str | int) -> str:
    """The 6-digit code from a cell: str or int, full-width digits allowed; 5 digits get their check digit
    appended, 6 digits must carry the right one. Raises ValueError with a Japanese message."""
    if isinstance(value, bool):
        raise ValueError(f"区市町村コードが正しくありません: {value}")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():  # a spreadsheet number cell
        text = str(int(value))
    elif isinstance(value, str):
        # NFKC makes full-width digits ASCII; str.isdigit() alone would also accept other scripts' digits.
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    else:
        raise ValueError(f"区市町村コードが正しくありません: {value}")
    if not _ASCII_DIGITS.match(text) or len(text) not in (5, 6):
        raise ValueError(f"区市町村コードが正しくありません（6桁の数字で入力してください）: {value}")
    expected = municipality_check_digit(text[:5])
    if len(text) == 5:
        return f"{text}{expected}"
    if int(text[5]) != expected:
        raise ValueError(
            f"区市町村コードが正しくありません（検査数字が合いません。正しくは{text[:5]}{expected}）: {value}")
    return text
