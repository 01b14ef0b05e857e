"""The fields of a place that MHLW's 通いの場オープンデータ publishes and our reports did not need: 郵便番号,
緯度・経度 and the reading in katakana. One parser per field, used by the place form, the import, received
bundle rows and the open-data export (kaigo_desktop/reports/opendata.py); migration 0013 keeps the same bounds
as the last guard."""

from __future__ import annotations

import re
import unicodedata

from kaigo_desktop.domain.text import to_katakana
from kaigo_desktop.domain.validation import FieldError

# Tokyo with its islands: 沖ノ鳥島 (20.42°N, 136.07°E) in the south-west, 南鳥島 (153.99°E) in the east, 雲取山
# (35.86°N) in the north. WGS84 degrees (世界測地系), as the open-data guideline asks.
LATITUDE_RANGE = (20.4, 35.9)
LONGITUDE_RANGE = (136.0, 154.0)
_POSTAL = re.compile(r"^〒?(\d{3})-?(\d{4})$")
_DASHES = str.maketrans({"ー": "-", "−": "-", "‐": "-", "―": "-", "–": "-", "—": "-"})
# Katakana, the long-vowel mark, the middle dot and spaces: what a 名称(ふりがな) column holds.
_KATAKANA_READING = re.compile(r"^[\u30A1-\u30FA\u30FC\u30FB\u30FD\u30FE\s]+$")


def parse_postal_code(value: object) -> str:
    """「1120003」「〒112-0003」「１１２ー０００３」 → 「112-0003」; '' for a blank. Raises ValueError (Japanese)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).translate(_DASHES)
    if not text:
        return ""
    match = _POSTAL.match(text)
    if not match:
        raise ValueError(f"郵便番号は「123-4567」の形（数字7桁）で入力してください: {value}")
    return f"{match[1]}-{match[2]}"


def parse_coordinate(value: object, *, latitude: bool) -> float | None:
    """A degree value (「35.7081」, full-width digits allowed) inside Tokyo; None for a blank. Raises
    ValueError with a Japanese message naming the field and the allowed range."""
    label, (low, high) = ("緯度", LATITUDE_RANGE) if latitude else ("経度", LONGITUDE_RANGE)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label}は数値（度、例: 35.6895）で入力してください: {value}")
    try:
        number = float(unicodedata.normalize("NFKC", str(value)).strip().rstrip("°"))
    except ValueError:
        raise ValueError(f"{label}は数値（度、例: 35.6895）で入力してください: {value}") from None
    if not (low <= number <= high):
        raise ValueError(f"{label}が東京都の範囲（{low}～{high}度、島しょ部を含む）の外です: {value}")
    return round(number, 6)  # about 10 cm: more digits only look precise


def katakana_reading(kana: str) -> str:
    """The reading as the open data writes it: katakana (stored readings may be hiragana), spaces folded."""
    text = unicodedata.normalize("NFKC", kana or "")
    return re.sub(r"\s+", " ", to_katakana(text)).strip()


def is_katakana_reading(text: str) -> bool:
    return bool(_KATAKANA_READING.match(text or ""))


def check_place_details(postal_code: str, latitude: float | None, longitude: float | None) -> list[FieldError]:
    """The rules on a stored or received place's 郵便番号 and coordinates (the parsers above, applied to what
    is already typed): the form, the import and bundles all meet these."""
    errors: list[FieldError] = []
    if postal_code:
        try:
            if parse_postal_code(postal_code) != postal_code:
                raise ValueError(f"郵便番号は「123-4567」の形で入力してください: {postal_code}")
        except ValueError as error:
            errors.append(FieldError("postal_code", str(error)))
    for field, value, is_latitude in (("latitude", latitude, True), ("longitude", longitude, False)):
        try:
            parse_coordinate(value, latitude=is_latitude)
        except ValueError as error:
            errors.append(FieldError(field, str(error)))
    if (latitude is None) != (longitude is None):
        errors.append(FieldError("latitude" if latitude is None else "longitude",
                                 "緯度と経度は両方入力するか、両方とも空にしてください。"))
    return errors
