"""Opening safely: a damaged, truncated or foreign file is refused with the newest good backup named and
left byte for byte as it was; read-only opens write nothing; network and cloud folders are warned about."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kaigo_desktop.storage import location
from kaigo_desktop.storage.backup import backup_database, default_backup_folder, new_backup_path
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import (
    CorruptDatabaseError,
    FolderNotWritableError,
    NewerSchemaError,
    NotADatabaseError,
)
from tests.mishaps import damage_table, kill_once_ready


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}


def make_backup_of(db_path: Path, reason: str = "manual") -> Path:
    with Database.open(db_path) as db:
        return backup_database(db.conn, new_backup_path(default_backup_folder(db_path), db_path, reason))


@pytest.mark.parametrize("damage", ["truncated", "scribbled", "foreign", "zeroed-header"])
def test_a_damaged_file_is_refused_untouched_and_the_newest_good_backup_is_named(db_path: Path, damage: str) -> None:
    backup = make_backup_of(db_path)
    if damage == "truncated":
        db_path.write_bytes(db_path.read_bytes()[: db_path.stat().st_size // 3])
    elif damage == "scribbled":
        damage_table(db_path, "municipalities")
    elif damage == "foreign":
        db_path.write_bytes(b"PK\x03\x04" + bytes(5000))  # an .xlsx saved under the wrong name
    else:
        db_path.write_bytes(bytes(100) + db_path.read_bytes()[100:])
    before, files = digest(db_path), listing(db_path.parent)
    with pytest.raises(CorruptDatabaseError) as caught:
        Database.open(db_path)
    assert isinstance(caught.value, NotADatabaseError)
    assert "壊れているか" in str(caught.value) and backup.name in str(caught.value)
    assert caught.value.newest_backup == backup and caught.value.path == db_path
    assert digest(db_path) == before
    assert listing(db_path.parent) == files  # no -wal, -shm or lock left beside it
    with pytest.raises(CorruptDatabaseError):
        Database.open(db_path, readonly=True)
    assert digest(db_path) == before and listing(db_path.parent) == files


def test_without_a_backup_the_message_says_so(db_path: Path) -> None:
    damage_table(db_path, "municipalities")
    with pytest.raises(CorruptDatabaseError, match="正常なバックアップが見つかりません") as caught:
        Database.open(db_path)
    assert caught.value.newest_backup is None


def test_a_damaged_newer_backup_is_skipped_for_an_older_good_one(db_path: Path) -> None:
    good = make_backup_of(db_path, "manual")
    bad = make_backup_of(db_path, "timed")
    bad.write_bytes(bad.read_bytes()[:8192])
    os.utime(bad)  # newest by name already (same second → higher sequence number or later reason sort)
    damage_table(db_path, "municipalities")
    with pytest.raises(CorruptDatabaseError) as caught:
        Database.open(db_path)
    assert caught.value.newest_backup == good


def test_a_backup_in_the_folder_chosen_in_the_settings_is_found(db_path: Path, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    with Database.open(db_path) as db:
        with db.write():
            db.conn.execute("INSERT INTO settings (key, value) VALUES ('backup_folder', ?)", (str(usb),))
        copy = backup_database(db.conn, new_backup_path(usb, db_path, "manual"))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage_table(db_path, "municipalities")  # the settings table itself is still readable
    with pytest.raises(CorruptDatabaseError) as caught:
        Database.open(db_path)
    assert caught.value.newest_backup == copy


def test_a_newer_file_is_refused_and_names_the_newest_backup(db_path: Path) -> None:
    backup = make_backup_of(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError) as caught:
        Database.open(db_path)
    assert caught.value.newest_backup == backup


def test_read_only_writes_nothing_when_nobody_else_has_the_file(db_path: Path) -> None:
    before, files = digest(db_path), listing(db_path.parent)
    with Database.open(db_path, readonly=True) as db:
        assert db.readonly
        assert db.scalar("SELECT COUNT(*) FROM municipalities") == 62
        with pytest.raises(sqlite3.OperationalError):
            db.conn.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
        assert listing(db_path.parent) == files
    assert digest(db_path) == before
    assert listing(db_path.parent) == files


WRITER = """
import sys
from kaigo_desktop.storage.database import Database
db = Database.open(sys.argv[1], user="佐藤")
for n in range(int(sys.argv[2])):
    with db.write():
        db.conn.execute("INSERT INTO settings (key, value) VALUES (?, 'v')", (f"k{n}",))
print("written", flush=True)
sys.stdin.readline()
"""


def test_read_only_sees_what_a_running_writer_committed(db_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), "5"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "written"
        files = set(listing(db_path.parent))
        with Database.open(db_path, readonly=True) as db:
            assert db.scalar("SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'") == 5
        assert set(listing(db_path.parent)) == files  # the writer's -wal/-shm were there already
    finally:
        child.kill()
        child.wait()


def test_read_only_after_a_crash_sees_the_records_still_in_the_wal(db_path: Path) -> None:
    kill_once_ready(WRITER, str(db_path), "7", ready="written")
    wal = Path(f"{db_path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # committed, not yet folded into the file
    with Database.open(db_path, readonly=True) as db:  # must not read the file alone (immutable)
        assert db.scalar("SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'") == 7
    with Database.open(db_path) as db:
        assert db.scalar("SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'") == 7


# ---- where the file lives -------------------------------------------------------------------------

@pytest.mark.parametrize("path, service", [
    ("C:/Users/tanaka/OneDrive/Documents/kaigo.sqlite3", "OneDrive"),
    ("C:/Users/tanaka/OneDrive - 千代田区役所/介護予防/kaigo.sqlite3", "OneDrive"),
    ("/home/tanaka/Dropbox/kaigo.sqlite3", "Dropbox"),
    ("G:/マイドライブ/kaigo.sqlite3", "Google Drive"),
    ("/Users/t/Library/Mobile Documents/com~apple~CloudDocs/kaigo.sqlite3", "iCloud"),
    ("C:/Users/tanaka/iCloudDrive/kaigo.sqlite3", "iCloud"),
    ("C:/Users/tanaka/Box/kaigo.sqlite3", "Box"),
    ("C:/Users/tanaka/Documents/kaigo.sqlite3", None),
    ("C:/Users/tanaka/Boxes/dropbox-notes/kaigo.sqlite3", None),
])
def test_cloud_synced_folders_are_recognised(path: str, service: str | None) -> None:
    assert location.cloud_service(path) == service


@pytest.mark.parametrize("path, unc", [
    ("\\\\fileserver\\kaigo\\kaigo.sqlite3", True),
    ("//fileserver/kaigo/kaigo.sqlite3", True),
    ("\\\\?\\UNC\\fileserver\\kaigo\\kaigo.sqlite3", True),
    ("\\\\?\\C:\\data\\kaigo.sqlite3", False),
    ("C:\\data\\kaigo.sqlite3", False),
])
def test_unc_paths_are_network_paths(path: str, unc: bool) -> None:
    assert location.is_unc(path) is unc


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
fileserver:/export /mnt/share nfs4 rw,relatime 0 0
//nas/kaigo /mnt/nas\\040kaigo cifs rw 0 0
/dev/sdb1 /mnt/share/local ext4 rw 0 0
"""


@pytest.mark.parametrize("path, fs_type", [
    ("/mnt/share/kaigo.sqlite3", "nfs4"),
    ("/mnt/nas kaigo/kaigo.sqlite3", "cifs"),
    ("/mnt/share/local/kaigo.sqlite3", None),  # a local disk mounted inside the share
    ("/mnt/shared/kaigo.sqlite3", None),
    ("/home/t/kaigo.sqlite3", None),
])
def test_network_mounts_are_found_in_proc_mounts(path: str, fs_type: str | None) -> None:
    assert location.network_mount_type(path, MOUNTS) == fs_type


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/mounts")
def test_network_mount_warning_names_the_exchange_files() -> None:
    warning = location.location_warning("/mnt/share/kaigo.sqlite3", mounts_text=MOUNTS)
    assert warning is not None and "ネットワーク" in warning and "交換ファイル" in warning


def test_opening_in_a_cloud_folder_returns_a_warning_not_an_error(template_db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "Dropbox" / "介護予防"
    folder.mkdir(parents=True)
    path = folder / "kaigo.sqlite3"
    path.write_bytes(template_db_path.read_bytes())
    with Database.open(path) as db:
        assert len(db.warnings) == 1 and "Dropbox" in db.warnings[0]
        assert db.scalar("SELECT COUNT(*) FROM municipalities") == 62


def test_a_local_folder_gives_no_warning(db: Database) -> None:
    assert db.warnings == []


# ---- a read-only folder (a write-protected share, a CD) -------------------------------------------

@pytest.fixture
def read_only_mount(tmp_path: Path, template_db_path: Path):
    """A real read-only file system holding a database (root only)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("needs root on Linux to mount a file system")
    point = tmp_path / "ro"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)]).returncode != 0:
        pytest.skip("mount is not permitted here")
    try:
        (point / "kaigo.sqlite3").write_bytes(template_db_path.read_bytes())
        subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=True)


def test_a_read_only_folder_is_reported_and_can_be_read(read_only_mount: Path) -> None:
    path = read_only_mount / "kaigo.sqlite3"
    with pytest.raises(FolderNotWritableError, match="読み取り専用で開くことはできます"):
        Database.open(path)
    with Database.open(path, readonly=True) as db:
        assert db.scalar("SELECT COUNT(*) FROM municipalities") == 62


@pytest.fixture
def write_protected_file(db_path: Path):
    """The database file alone made read-only (a read-only bind mount over it; root only): the folder
    stays writable, as with a file copied from a CD or marked read-only."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("needs root on Linux to mount a file system")
    if subprocess.run(["mount", "--bind", str(db_path), str(db_path)]).returncode != 0:
        pytest.skip("mount is not permitted here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(db_path)], check=True)
        yield db_path
    finally:
        subprocess.run(["umount", str(db_path)], check=True)


def test_a_write_protected_file_is_reported_and_can_be_read(write_protected_file: Path) -> None:
    before = digest(write_protected_file)
    with pytest.raises(FolderNotWritableError, match="書き込みが禁止"):
        Database.open(write_protected_file)
    with Database.open(write_protected_file, readonly=True) as db:
        assert db.scalar("SELECT COUNT(*) FROM municipalities") == 62
    assert digest(write_protected_file) == before
    assert not Path(f"{write_protected_file}.lock").exists()
