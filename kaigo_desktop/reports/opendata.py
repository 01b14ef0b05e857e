"""The place list in the column layout of MHLW's 介護予防の通いの場オープンデータ, which 区市町村 publish: CSV in
UTF-8 with a BOM (the open-data guideline; Japanese Excel opens it), one row per place open on the day, text
never a formula (spreadsheet_cells.csv_cell). What each column holds is in docs/formats.md."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kaigo_desktop.domain.codes import municipality_check_digit
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.place_details import is_katakana_reading, katakana_reading
from kaigo_desktop.domain.vocab import PROGRAM_LABELS
from kaigo_desktop.reports.files import write_atomically
from kaigo_desktop.reports.spreadsheet_cells import csv_cell
from kaigo_desktop.services.report_lists import DirectoryPlace, places_open_on

# The columns in the order of the open-data layout.
COLUMNS = ("No", "都道府県コード", "市区町村コード", "名称(ふりがな)", "名称", "郵便番号", "所在地", "電話番号",
           "対象者", "活動内容", "運営日と時間", "定員", "料金", "緯度", "経度")
TOKYO_NAME = "東京都"
TOKYO_CODE = "13000" + str(municipality_check_digit("13000"))  # 全国地方公共団体コード of 東京都: 130001
# Only a telephone number from 連絡先 is published: the field may also hold a person's name.
_PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}|0\d{9,10}")


@dataclass
class OpenDataResult:
    path: Path
    rows: int
    warnings: list[str] = field(default_factory=list)


def phone_number(contact: str) -> str:
    """The first telephone number written in 連絡先 (「03-1234-5678」), '' when there is none."""
    match = _PHONE.search(unicodedata.normalize("NFKC", contact or "").replace("ー", "-").replace("−", "-"))
    return match.group(0) if match else ""


def _degrees(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def _address(place: DirectoryPlace) -> str:
    """所在地 with the prefecture and 区市町村 in front, as the open data lists it (ours is often written without)."""
    address = (place.address or "").strip()
    if not address or address.startswith(TOKYO_NAME):
        return address
    if address.startswith(place.municipality_name):
        return TOKYO_NAME + address
    return f"{TOKYO_NAME}{place.municipality_name}{address}"


def open_data_row(number: int, place: DirectoryPlace) -> list[object]:
    reading = katakana_reading(place.kana)
    activities = list(place.main_activities) + [PROGRAM_LABELS[code] for code in place.programs]
    return [number, TOKYO_CODE, place.municipality_code, reading if is_katakana_reading(reading) else "",
            place.name, place.postal_code, _address(place), phone_number(place.contact), "",
            "・".join(dict.fromkeys(activities)), place.frequency_declared or "",
            "" if place.capacity is None else place.capacity, place.fee,
            _degrees(place.latitude), _degrees(place.longitude)]


def open_data_rows(places: list[DirectoryPlace]) -> tuple[list[list[object]], list[str]]:
    """The rows, numbered from 1, and warnings about what could not be published as stored."""
    rows = [open_data_row(number, place) for number, place in enumerate(places, start=1)]
    warnings = []
    no_reading = [p.name for p, row in zip(places, rows) if p.kana and not row[3]]
    if no_reading:
        warnings.append(f"ふりがながカタカナ・ひらがなでないため空欄にしました（{len(no_reading)}か所）: "
                        + "、".join(no_reading[:5]) + ("ほか" if len(no_reading) > 5 else ""))
    no_place = sum(1 for row in rows if not row[13])
    if no_place:
        warnings.append(f"緯度・経度が未入力の通いの場が{no_place:,}か所あります（地図に表示されません）。")
    return rows, warnings


def csv_bytes(rows: list[list[object]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return text.getvalue().encode("utf-8-sig")


def export_open_data(db, out: Path, *, municipality_code: str | None = None, on: date | None = None,
                     check_target: Callable[[Path], object] | None = None) -> OpenDataResult:
    """Write the open-data CSV of the places open on `on` (today); refuses (nothing written) when none is."""
    on = on or date.today()
    places = places_open_on(db, on, municipality_code)
    if not places:
        raise UserFacingError(f"{on.year}年{on.month}月{on.day}日に活動中の通いの場がありません。"
                              "何も書き出していません。", kind="empty")
    rows, warnings = open_data_rows(places)
    out = Path(out)
    if check_target is not None:
        check_target(out)
    data = csv_bytes(rows)
    write_atomically(out, lambda path: path.write_bytes(data))
    return OpenDataResult(out, len(rows), warnings)
