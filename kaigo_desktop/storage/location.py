"""Is the database file on a network drive or in a cloud-synced folder? SQLite's locking does not work
there (a sync client may copy a half-written file, another PC may write at the same time), so the app
warns and suggests exchanging bundles between PCs instead."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path, PurePath

# Folder names (compared case-insensitively, one path component) that sync clients create.
_CLOUD_EXACT = {
    "onedrive": "OneDrive", "dropbox": "Dropbox", "google drive": "Google Drive", "googledrive": "Google Drive",
    "my drive": "Google Drive", "マイドライブ": "Google Drive", "box": "Box", "box sync": "Box",
    "icloud drive": "iCloud", "iclouddrive": "iCloud", "com~apple~clouddocs": "iCloud",
}
# "OneDrive - 会社名", "Dropbox (会社名)", "Google Drive (taro@example.jp)"
_CLOUD_PREFIXES = {"onedrive - ": "OneDrive", "onedrive-": "OneDrive", "dropbox (": "Dropbox",
                   "google drive (": "Google Drive", "box (": "Box"}
NETWORK_FILE_SYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "fuse.sshfs", "sshfs", "davfs",
                        "fuse.davfs2", "afs", "ncpfs", "9p.cifs"}


def cloud_service(path: Path | str) -> str | None:
    """The sync service whose folder holds `path` (OneDrive, Dropbox …), or None."""
    for part in PurePath(path).parts:
        name = part.strip().casefold()
        if name in _CLOUD_EXACT:
            return _CLOUD_EXACT[name]
        for prefix, service in _CLOUD_PREFIXES.items():
            if name.startswith(prefix):
                return service
    return None


def is_unc(path: Path | str) -> bool:
    """A Windows network path (\\\\server\\share\\…), also as \\\\?\\UNC\\…; not \\\\?\\C:\\ or \\\\.\\ devices."""
    text = str(path).replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        return True
    return text.startswith("\\\\") and not text.startswith(("\\\\?\\", "\\\\.\\"))


def _unescape_mount_field(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def network_mount_type(path: Path | str, mounts_text: str | None = None) -> str | None:
    """On Linux, the file system type of the mount holding `path` when it is a network one (nfs, cifs …).
    `mounts_text` is the content of /proc/mounts (read when not given)."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = os.path.abspath(str(path))
    best_point, best_type = "", ""
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point, fs_type = _unescape_mount_field(fields[1]), fields[2].casefold()
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best_point):
            best_point, best_type = point, fs_type
    if best_type in NETWORK_FILE_SYSTEMS or best_type.startswith(("nfs", "smb", "cifs")):
        return best_type
    return None


def _windows_remote_drive(path: Path) -> bool:
    import ctypes

    drive = os.path.splitdrive(os.path.abspath(str(path)))[0]
    if not drive or is_unc(drive):
        return False
    drive_remote = 4
    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == drive_remote


def location_warning(path: Path | str, *, mounts_text: str | None = None) -> str | None:
    """A Japanese warning when the database at `path` lives somewhere SQLite is unsafe; None otherwise."""
    path = Path(path)
    where = None
    service = cloud_service(path.absolute())
    if service:
        where = f"クラウド同期のフォルダ（{service}）"
    elif is_unc(path):
        where = "ネットワーク上の共有フォルダ"
    elif sys.platform == "win32":
        try:
            if _windows_remote_drive(path):
                where = "ネットワークドライブ"
        except (OSError, AttributeError):
            pass
    elif sys.platform.startswith("linux"):
        fs_type = network_mount_type(path, mounts_text)
        if fs_type:
            where = f"ネットワーク上のフォルダ（{fs_type}）"
    if where is None:
        return None
    return (f"データベースが{where}にあります: {path}。このような場所では、同期や複数のPCからの同時利用で"
            "データベースが壊れることがあります。データベースはこのPCのフォルダに置き、"
            "ほかのPCとは交換ファイル（書き出しと取り込み）でやり取りしてください。")
