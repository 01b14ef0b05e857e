"""Backup settings (how often, how many to keep, where), kept in the database's settings table with
defaults in code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kaigo_desktop.domain import roles
from kaigo_desktop.services import rights
from kaigo_desktop.storage import aggregates
from kaigo_desktop.storage.backup import BACKUP_FOLDER_KEY
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.settings_store import write_setting

MAX_INTERVAL_MINUTES = 24 * 60
MAX_KEEP = 1000
_COUNT_KEYS = {"interval_minutes": "backup_interval_minutes", "keep_recent": "backup_keep_recent",
               "daily": "backup_keep_daily", "weekly": "backup_keep_weekly", "monthly": "backup_keep_monthly"}


@dataclass(frozen=True)
class BackupSettings:
    interval_minutes: int = 30  # timed backups while working; 0 turns them off
    keep_recent: int = 10  # the newest copies are always kept …
    daily: int = 7  # … then one a day for this many days,
    weekly: int = 4  # one a week for this many weeks,
    monthly: int = 12  # and one a month for this many months
    folder: Path | None = None  # None: the backups folder beside the database


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default  # a hand-edited value never stops backups: the default applies


def load(db: Database) -> BackupSettings:
    defaults = BackupSettings()
    counts = {name: _int(aggregates.setting(db, key), getattr(defaults, name)) for name, key in _COUNT_KEYS.items()}
    folder = aggregates.setting(db, BACKUP_FOLDER_KEY)
    return BackupSettings(**counts, folder=Path(folder) if folder else None)


def validate(settings: BackupSettings) -> None:
    if not 0 <= settings.interval_minutes <= MAX_INTERVAL_MINUTES:
        raise ValueError(f"自動バックアップの間隔は0〜{MAX_INTERVAL_MINUTES}分で指定してください（0で停止）。")
    if not 1 <= settings.keep_recent <= MAX_KEEP:
        raise ValueError(f"残す最新のバックアップの数は1〜{MAX_KEEP}で指定してください。")
    for label, value in (("日ごと", settings.daily), ("週ごと", settings.weekly), ("月ごと", settings.monthly)):
        if not 0 <= value <= MAX_KEEP:
            raise ValueError(f"{label}に残すバックアップの数は0〜{MAX_KEEP}で指定してください。")
    if settings.folder is not None and not settings.folder.is_absolute():
        raise ValueError(f"バックアップの保存先はドライブ名から始まるフォルダで指定してください: {settings.folder}")


def save(db: Database, settings: BackupSettings) -> None:
    rights.require(db, roles.ADMINISTER)
    validate(settings)
    with db.write():
        for name, key in _COUNT_KEYS.items():
            write_setting(db, key, str(getattr(settings, name)))
        write_setting(db, BACKUP_FOLDER_KEY, str(settings.folder) if settings.folder else "")
