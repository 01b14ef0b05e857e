"""0013: what MHLW's 通いの場オープンデータ lists and places did not hold: 郵便番号 (NNN-NNNN), 緯度・経度 (WGS84
degrees, inside Tokyo with its islands) and 料金 (free text: 「無料」「1回100円」). The checks here are the last
guard; kaigo_desktop/domain/place_details.py parses and explains them to users. A Python migration because the
audit trail's triggers list each table's columns: they are made again so that the new fields are audited.
"""

from pathlib import Path

from kaigo_desktop.storage import audit_triggers

COLUMNS = (
    "ALTER TABLE places ADD COLUMN postal_code TEXT NOT NULL DEFAULT ''"
    " CHECK (postal_code = '' OR postal_code GLOB '[0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]')",
    "ALTER TABLE places ADD COLUMN latitude REAL CHECK (latitude BETWEEN 20.4 AND 35.9)",
    "ALTER TABLE places ADD COLUMN longitude REAL CHECK (longitude BETWEEN 136.0 AND 154.0)",
    "ALTER TABLE places ADD COLUMN fee TEXT NOT NULL DEFAULT ''",
)


def migrate(conn, db_dir: Path) -> None:
    for statement in COLUMNS:
        conn.execute(statement)
    audit_triggers.install(conn)
