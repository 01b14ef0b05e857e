"""The settings table (key → text)."""

from kaigo_desktop.storage.database import Database


def write_setting(db: Database, key: str, value: str) -> None:
    with db.write():
        db.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def delete_setting(db: Database, key: str) -> None:
    with db.write():
        db.conn.execute("DELETE FROM settings WHERE key = ?", (key,))
