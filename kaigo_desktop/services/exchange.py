"""Exchange between PCs: bundle files that carry the records (and deletions) changed since the last bundle
sent to a destination, merged on import without silently overwriting anything.

Why not SQLite's session extension (evaluated with APSW 3.54.1.0, SQLite 3.54.1, on this schema): it works —
STRICT tables with TEXT primary keys diff and apply fine; `Session.diff` of a database with 100,000 new
gatherings against an attached snapshot took 0.40 s (changeset 23.6 MB), `Changeset.apply` 1.57 s, and an
edit made on both sides came back as a DATA conflict. It does not fit, for reasons of design, not speed:
  * a diff needs a full snapshot file per destination of what that destination holds, kept in step by hand
    (a lost USB stick or an unimported bundle leaves it wrong, and every later changeset conflicts);
  * changeset old-values compare whole rows, including our per-database `change_seq`, so a row forwarded
    by the municipality never matches; and apply would write the sender's change_seq into our rows, which
    breaks "what changed here since bundle N" (the column cannot be left out of a changeset);
  * out-of-order bundles: an UPDATE whose old-values come after a bundle not yet received is a conflict
    or NOTFOUND, although nothing conflicts;
  * a second SQLite library (APSW's) beside the stdlib one on the same file, and one more binary to ship.
Our rows already carry what is needed: a UUID id, a version (updated_at, origin_db), soft-delete tombstones
and change_seq. So a bundle holds the rows with change_seq above what was last sent to that destination (per
scope: a bundle filtered to one municipality or center marks only those records as sent, and also carries the
places, promoters and centers its rows refer to), each with its *ancestors* (the versions it was edited from,
as far as exchanged). On import:
  * row unknown here → added (a place or promoter it needs not yet here → kept pending, every waiting version,
    retried after each import and judged by history when applied, never by the PCs' clocks);
  * incoming version is ours or one of our ancestors → skipped (a repeat, or an older bundle late);
  * the same data as ours (one figure entered on two PCs, a record deleted on both) → the larger version is
    kept on every side and the other remembered as equal (`same_as`), so an edit of either is a later edit;
  * our version (or one equal to it) is one of its ancestors → applied (a later edit; deletions are soft);
  * otherwise both sides changed it since the last exchange → a conflict is stored, nothing overwritten; one
    open conflict per record (a later version of the same incoming record replaces the waiting one);
    resolving makes a new version that descends from both, so every side fast-forwards to it, and settles
    the same conflict wherever it was also found.
A unique-name collision (same center/place/promoter name made on two PCs, or a rename elsewhere into a name
taken here) is stored as a conflict too; the incoming version is retried after each import (it comes in once
its namesake is in the trash or renamed). For two records made under one name, resolving — here or on another
PC — moves what was recorded under the one not kept (gatherings, assignments, places of a center …) to the
one kept; a renamed record and its namesake stay different records.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import sqlite3
import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, ExitStack, closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, cast

from kaigo_desktop.domain import roles
from kaigo_desktop.services import (
    audit_exchange,
    bundle_content,
    bundle_crypto,
    bundle_format,
    bundle_signing,
    duplicates,
    received_rows,
    rights,
)
from kaigo_desktop.services.background_write import BackgroundWrite, quick_hand_over
from kaigo_desktop.services.bundle_signing import Signer
from kaigo_desktop.services.gc_pause import collector_paused
from kaigo_desktop.services.incoming_rows import DictRows, ListRows
from kaigo_desktop.services.read_ahead import read_ahead
from kaigo_desktop.storage import exchange_queries as q
from kaigo_desktop.storage import audit_log, bulk_indexes, cache_flush, period_queries, sqlite_errors
from kaigo_desktop.storage.database import Database, WriteStamp
from kaigo_desktop.storage.errors import StorageError
from kaigo_desktop.storage.ids import new_id
from kaigo_desktop.storage.rows import EXCHANGED_TABLES, PERSONAL_TABLES

FORMAT = bundle_format.FORMAT
FORMAT_VERSION = bundle_format.FORMAT_VERSION
USER_TABLES = EXCHANGED_TABLES  # in reference order: centers before places …, participants last
PERSONAL_NOT_ENCRYPTED = (
    "参加者の記録（氏名・基本チェックリストなどの個人情報）を含むため、暗号化しない受け渡しファイルは作れません。"
    "暗号化して（コマンドでは --encrypt）書き出してください。何も書き出していません。")
PERSONAL_RECEIVED_PLAIN = (
    "暗号化されていない取り込みファイルに参加者の記録（個人情報）が含まれています。個人情報は暗号化したファイルで"
    "しか受け取りません。何も取り込みませんでした: {path}")
ANCESTORS = "_ancestors"
RENAMED = "_renamed"  # in a stored same-name conflict: the record was here already (renamed elsewhere)
PROBLEMS = "_problems"  # in a stored 'invalid' conflict: why the row cannot be stored here (Japanese)
INVALID = "invalid"  # the reason of a conflict holding a row that breaks the rules of a record typed here
DEFAULT_DESTINATION = "既定"


class BundleError(StorageError):
    """A bundle that cannot be imported (damaged, tampered, from a newer version, from this database)."""

    kind = "bundle"


class PassphraseError(BundleError):
    """An encrypted bundle without its passphrase, or with a wrong one: ask the person for it."""

    kind = "passphrase"


class SameDatabaseError(BundleError):
    """The bundle was written by this database or by a copy of its file: give one of the two a new id."""

    kind = "same_database"


class UnknownPcError(BundleError):
    """A correctly signed bundle from a PC not trusted here: `signer` says who it claims to be (to compare the
    fingerprint by phone before trusting it)."""

    kind = "unknown_pc"

    def __init__(self, message: str, signer: Signer):
        super().__init__(message)
        self.signer = signer


def give_new_database_id(db: Database) -> str:
    """Make a file copied from another PC a database of its own (see SameDatabaseError); it signs with a new
    key from now on (the old one stays with the original file)."""
    rights.require(db, roles.EXCHANGE)
    with db.write():
        new = db.give_new_database_id()
        bundle_signing.forget_old_keys(db)
    return new


class ConflictError(StorageError):
    """A conflict cannot be settled that way (kind "name_taken": the name kept is used by another record
    here, field "name")."""

    kind = "conflict"


Progress = Callable[[int, int], None]  # (done, total); raising from it cancels, and nothing is written


@dataclass(frozen=True)
class Destination:
    name: str
    last_sent_at: str | None


@dataclass(frozen=True)
class BundleSummary:
    path: Path
    destination: str
    counts: dict[str, int]
    content_sha256: str
    since_seq: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Gap:
    """Changes of the sender that no bundle received here carried: the bundle (or bundles) made for this
    destination between `after` and `before` has not been imported here."""
    source_db: str
    made_by: str  # who made the bundle being imported
    destination: str
    first_seq: int  # the sender's change numbers missing: first_seq..last_seq
    last_seq: int
    after: str | None  # when the last bundle received before the gap was made (None: none was received)
    before: str  # when the first bundle after the gap was made


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: int = 0
    skipped: int = 0
    pending: int = 0
    invalid: int = 0  # of the conflicts: rows that break the rules of a record typed here (never stored)
    already_imported: bool = False
    dry_run: bool = False
    by_table: dict[str, dict[str, int]] = field(default_factory=dict)  # table → {"added": n, "updated": n, …}
    made_at: str = ""  # from the bundle's header: when, by whom and for which destination it was written
    made_by: str = ""
    destination: str = ""
    gaps: list[Gap] = field(default_factory=list)  # earlier bundles from the same PC never imported here

    def tally(self, kind: str, table: str, count: int = 1) -> None:
        setattr(self, kind, getattr(self, kind) + count)
        counts = self.by_table.setdefault(table, {})
        counts[kind] = counts.get(kind, 0) + count

    def take(self, other: ImportSummary,
             kinds: tuple[str, ...] = ("added", "updated", "deleted", "conflicts", "invalid")) -> None:
        for table, counts in other.by_table.items():
            for kind in kinds:
                if counts.get(kind):
                    self.tally(kind, table, counts[kind])


@dataclass(frozen=True)
class Conflict:
    id: str
    table: str
    row_id: str
    reason: str
    local: dict[str, Any] | None
    incoming: dict[str, Any]
    detected_at: str
    resolved_at: str | None
    resolution: str | None


def _version(row: Any) -> str:
    return f"{row['updated_at']}|{row['origin_db']}"


def _local_ancestors(version: str, base: q.Base | None) -> list[str]:
    """The ancestors of our current version: a local edit since the last exchange descends from the base."""
    if base is None:
        return []
    return base.ancestors if base.version == version else [*base.ancestors, base.version]


def _scope(municipality: str | None, center: str | None) -> str:
    """What a destination's "last sent" mark covers: a filtered bundle must not mark other records as sent."""
    return " ".join(part for part in (f"municipality={municipality}" if municipality else "",
                                      f"center={center}" if center else "") if part)


# ---- export ----------------------------------------------------------------------------------------

def destinations(db: Database) -> list[Destination]:
    """The destinations bundles were made for, by name (each remembers what was last sent to it)."""
    return [Destination(row["name"], row["last_sent_at"]) for row in q.destinations(db.conn)]


def export_bundle(db: Database, out_path: Path | str, destination: str = DEFAULT_DESTINATION,
                  since: str = "last", municipality: str | None = None, center: str | None = None,
                  passphrase: str | None = None, progress: Progress | None = None) -> BundleSummary:
    """Write the records changed since the last bundle for `destination` (or all with since="all"), optionally
    only one municipality's or one center's, optionally encrypted with `passphrase`. The file appears whole or
    not at all, and the destination remembers this bundle only when the file is written."""
    rights.require(db, roles.EXCHANGE)
    if since not in ("last", "all"):
        raise ValueError(f"since must be 'last' or 'all': {since!r}")
    destination = destination.strip()
    if not destination:
        raise BundleError("送り先の名前を入力してください。")
    out_path = Path(out_path)
    conn = db.conn
    with db.write() as stamp:
        if center and not q.center_exists(conn, center):
            raise BundleError(f"センターが見つかりません: {center}")
        scope = _scope(municipality, center)
        since_seq = q.last_seq_sent(conn, destination, scope) if since == "last" else 0
        columns = {table: [c for c in q.columns(conn, table) if c != "change_seq"] for table in USER_TABLES}
        found: dict[str, list[tuple]] = {}
        for done, table in enumerate(USER_TABLES):
            if progress is not None:
                progress(done, len(USER_TABLES) + 1)
            found[table] = q.changed_rows(conn, table, columns[table], since_seq, municipality, center).fetchall()
        if scope:
            _add_referenced(conn, found, columns)
        if not passphrase and any(found.get(table) for table in PERSONAL_TABLES):
            raise BundleError(PERSONAL_NOT_ENCRYPTED)
        tables: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for table in USER_TABLES:
            rows, cols = found[table], columns[table]
            if not rows:
                continue
            at_index, origin_index = cols.index("updated_at"), cols.index("origin_db")
            known = q.bases(conn, table, [row[0] for row in rows])
            out, new_bases = [], []
            for row in rows:
                version = f"{row[at_index]}|{row[origin_index]}"
                base = known.get(row[0])
                ancestors = _local_ancestors(version, base)
                out.append([*row, ancestors])
                if base is None or base.version != version:
                    new_bases.append((row[0], version, ancestors))
            q.save_bases(conn, table, new_bases)
            tables[table] = {"columns": [*cols, ANCESTORS], "rows": out}
            counts[table] = len(out)
        carried: dict[str, Any] = {"tables": tables}
        audit_block = audit_exchange.block_for(conn, tables)
        if audit_block is not None:
            carried["audit"] = audit_block
        content = json.dumps(carried, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        digest = hashlib.sha256(content).hexdigest()
        header = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "source_db": db.database_id,
            "source_name": bundle_signing.own_name(db),
            "schema_version": db.schema_version(), "created_at": stamp.at, "created_by": stamp.by,
            "destination": destination, "municipality": municipality, "center": center, "since_seq": since_seq,
            "max_seq": stamp.change_seq, "counts": counts, "content_sha256": digest,
        }
        if progress is not None:
            progress(len(USER_TABLES), len(USER_TABLES) + 1)
        data = pack_bundle(db, header, content)
        if passphrase:
            data = bundle_crypto.encrypt(data, passphrase)
        elif passphrase is not None:
            raise PassphraseError("パスワードが空です。暗号化しないときはパスワードを指定しないでください。")
        write_whole(out_path, data)
        q.set_destination(conn, destination, scope, stamp.change_seq, stamp.at)
    if progress is not None:
        progress(len(USER_TABLES) + 1, len(USER_TABLES) + 1)
    return BundleSummary(out_path, destination, counts, digest, since_seq)


def pack_bundle(db: Database, header: dict[str, Any], content: bytes) -> bytes:
    """The zip of a bundle, signed with this database's key (the signature inside the zip, so an encrypted
    bundle is signed inside the encryption)."""
    buffer = io.BytesIO()
    header_bytes = json.dumps(header, ensure_ascii=False, indent=1).encode("utf-8")
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
        bundle.writestr(bundle_format.HEADER, header_bytes)
        bundle.writestr(bundle_format.CONTENT, content)
        bundle.writestr(bundle_format.SIGNATURE, bundle_signing.signature_member(db, header_bytes, content))
    return buffer.getvalue()


def _add_referenced(conn: sqlite3.Connection, found: dict[str, list[tuple]], columns: dict[str, list[str]]) -> None:
    """A filtered bundle also carries the places, promoters and centers its rows refer to (a promoter of another
    center named in this center's gathering), so nothing it holds waits at the other end for ever."""
    while True:
        wanted: dict[str, set[str]] = {}
        for table, rows in found.items():
            for column, parent in q.references(conn, table):
                if parent in found and rows:
                    index = columns[table].index(column)
                    wanted.setdefault(parent, set()).update(row[index] for row in rows if row[index] is not None)
        added = False
        for parent, ids in wanted.items():
            missing = ids - {row[0] for row in found[parent]}
            if missing:
                found[parent] = [*found[parent], *q.rows_with_ids(conn, parent, columns[parent], sorted(missing))]
                added = True
        if not added:
            return


def write_whole(path: Path, data: bytes) -> None:
    """Write under a temporary name, flush to disk, then rename: a full USB stick leaves no half file. The
    temporary name is a new one (never an existing `<name>.partial` of the user's, truncated)."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".partial", dir=path.parent)
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# ---- reading a bundle ------------------------------------------------------------------------------

def is_encrypted(path: Path | str) -> bool:
    """Whether the bundle needs a passphrase (False for a missing or unreadable file: reading will say why)."""
    try:
        with open(path, "rb") as file:
            return bundle_crypto.is_encrypted(file.read(len(bundle_crypto.MAGIC)))
    except OSError:
        return False


@dataclass
class _OpenBundle:
    """A bundle whose signature was checked over its whole content (read once, in chunks, hashed): its header,
    who signed it, and content() to read it a second time, as it is used."""
    header: dict[str, Any]
    signer: Signer
    members: bundle_format.Members
    content_sha256: bytes
    encrypted: bool

    def content(self) -> Generator[bundle_content.Columns | bundle_content.Rows | bundle_content.AuditEntries,
                                   None, None]:
        """The content, checked as it comes; refused (BundleError) at the end if its bytes are not those whose
        signature was checked (the file was changed meanwhile): the caller writes in one transaction. It is
        unpacked and hashed on a helper thread a few chunks ahead (read_ahead); close() the iterator when
        leaving it early, so that thread is done before the file is closed."""
        digest = hashlib.sha256()

        def hashed() -> Iterator[bytes]:
            for chunk in self.members.content_chunks():
                digest.update(chunk)
                yield chunk
            if digest.digest() != self.content_sha256:
                raise BundleError("取り込みファイルが読み込みの途中で変わりました。何も取り込みませんでした。")

        ahead = read_ahead(hashed(), name="kaigo-bundle-read")
        try:
            yield from bundle_content.read(ahead)
        finally:
            ahead.close()


def bundle_header(path: Path | str, schema_version: int, passphrase: str | None = None, *,
                  trust: Callable[[Signer], None]) -> dict[str, Any]:
    """The header of a bundle checked as an import checks it before writing (see _trusted)."""
    with _trusted(path, schema_version, passphrase, trust=trust) as bundle:
        return bundle.header


def inspect_bundle(path: Path | str, schema_version: int, passphrase: str | None = None) -> Signer:
    """Who a bundle says made it, its signature checked against its own key (not yet trusted): for trusting
    the PC it came from once the person has compared the fingerprint."""
    with _opened(path, schema_version, passphrase) as bundle:
        return bundle.signer


@contextmanager
def _trusted(path: Path | str, schema_version: int, passphrase: str | None, *,
             trust: Callable[[Signer], None]) -> Iterator[_OpenBundle]:
    """The bundle, checked before any of it is used: within the size bounds, our format at a version we read,
    signed by a key that `trust` accepts (it raises to refuse), the content matching its SHA-256. Refused with
    BundleError (an encrypted one without the right passphrase: PassphraseError; from an unknown PC:
    UnknownPcError). Its rows are checked as they are read (bundle_content)."""
    with _opened(path, schema_version, passphrase) as bundle:
        try:
            trust(bundle.signer)
        except bundle_signing.UnknownPcError as error:
            raise UnknownPcError(str(error), error.signer) from error
        except bundle_signing.TrustError as error:
            raise BundleError(str(error)) from error
        if bundle.content_sha256.hex() != bundle.header["content_sha256"]:
            raise BundleError(f"取り込みファイルが壊れているか改ざんされています（SHA-256 が一致しません）。"
                              f"何も取り込みませんでした: {path}")
        if not bundle.encrypted and any(table in bundle.header["counts"] for table in PERSONAL_TABLES):
            raise BundleError(PERSONAL_RECEIVED_PLAIN.format(path=path))  # as declared; the rows are checked too
        yield bundle


@contextmanager
def _opened(path: Path | str, schema_version: int, passphrase: str | None) -> Iterator[_OpenBundle]:
    """The bundle open (an encrypted one decrypted into memory: the zip, never its unpacked content), its
    signature checked over content.json hashed in chunks."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > bundle_format.MAX_FILE_BYTES:
            raise BundleError(f"取り込みファイルが大きすぎます（{size:,} バイト、"
                              f"{bundle_format.MAX_FILE_BYTES:,} バイトまで）。何も取り込みませんでした: {path}")
        file = open(path, "rb")
    except FileNotFoundError as error:
        raise BundleError(f"ファイルがありません: {path}") from error
    except OSError as error:
        raise BundleError(f"ファイルを読めませんでした: {path}（{error}）") from error
    with file, ExitStack() as stack:
        try:
            zipped: BinaryIO = file
            encrypted = bundle_crypto.is_encrypted(file.read(len(bundle_crypto.MAGIC)))
            if encrypted:
                file.seek(0)
                zipped = bundle_crypto.decrypt_file(file, size, passphrase)
                size = zipped.getbuffer().nbytes
            file.seek(0)
            members = stack.enter_context(bundle_format.opened(zipped, size))
            bundle_format.check_versions(members.header, schema_version)
            header = bundle_format.header_dict(members.header)
            digest = hashlib.sha256()
            # unpacked on a helper thread while the chunk before is hashed here (zlib and hashlib let go of the GIL)
            with closing(read_ahead(members.content_chunks(), name="kaigo-bundle-check")) as chunks:
                for chunk in chunks:
                    digest.update(chunk)
            public_key = bundle_signing.verify_digest(members.signature, members.header, digest.digest())
        except bundle_crypto.PassphraseError as error:
            raise PassphraseError(str(error)) from error
        except (bundle_crypto.SettingsError, bundle_format.FormatError, bundle_signing.SignatureError) as error:
            raise BundleError(f"{error}\n（{path}）") from error
        except OSError as error:
            raise BundleError(f"ファイルを読めませんでした: {path}（{error}）") from error
        yield _OpenBundle(header, bundle_signing.signer_of(header, public_key), members, digest.digest(), encrypted)


# ---- import ----------------------------------------------------------------------------------------

class _RollBack(Exception):
    pass


_CHUNK = 20_000  # rows applied between progress reports
# A bundle of a million rows: the indexes being filled stay in memory instead of going back and forth through
# the WAL file (about a sixth less time, 64 MiB more memory).
_WRITE_CACHE_MIB = 64


class _WritesBehind:
    """A bundle's bulk writes (the new rows of a chunk, the sender's audit entries) run on a helper thread
    (background_write) while the import's thread reads and checks the next chunk: sqlite3 lets go of the GIL
    while SQLite works, so the two go on two cores. What follows a write (a batch refused by a constraint
    written row by row, the updates and bases of the chunk, its counts) runs on the import's thread in
    settle(), which is called before the database is used again; an error of the write comes out of it, and
    the import is refused whole. stop() before the transaction ends, with an error or not."""

    def __init__(self) -> None:
        self._write = BackgroundWrite()
        self._after: Callable[[], None] | None = None

    def start(self, write: Callable[[], None], after: Callable[[], None] | None = None) -> None:
        self.settle()
        self._write.start(write)
        self._after = after

    def settle(self) -> None:
        after, self._after = self._after, None
        self._write.wait()
        if after is not None:
            after()

    def stop(self) -> None:
        self._after = None
        self._write.stop()


class _DatabaseInUse(BaseException):  # not an Exception: no rule's `except` may take it for a problem of a row
    pass


class _NoDatabase:
    """Stands for the database in the checks of a chunk made while the chunk before it is being written: a
    rule that reads the database (a municipality code, a reference list) raises, and the chunk is checked
    again once the write is over."""

    def __getattr__(self, name: str) -> Any:
        raise _DatabaseInUse(name)


def _problems_meanwhile(table: str, received: ListRows,
                        answers: received_rows.RuleAnswers) -> dict[int, list[str]] | None:
    """received_rows.problems_of_received without touching the database; None when a rule needed it."""
    try:
        return received_rows.problems_of_received(cast(Database, _NoDatabase()), table, received.columns,
                                                  received.rows, received.by_column, date.today(), answers)
    except _DatabaseInUse:
        return None


def import_bundle(db: Database, path: Path | str, dry_run: bool = False, passphrase: str | None = None,
                  progress: Progress | None = None) -> ImportSummary:
    """Merge a bundle in one transaction (see the module's docstring); dry_run reports the same counts and
    writes nothing. An exception from `progress` (a cancel) rolls everything back. The signature is checked
    over the whole content before anything is written; the rows are then read again in chunks and applied
    _CHUNK at a time, so memory does not grow with the bundle (benchmarks/scale_bundles.py)."""
    rights.require(db, roles.EXCHANGE)
    with _trusted(path, db.schema_version(), passphrase,
                  trust=lambda signer: bundle_signing.require_trusted(db, signer)) as bundle, collector_paused():
        try:
            return _import(db, bundle, Path(path), dry_run, progress)
        except bundle_format.FormatError as error:  # a row found wrong after others were applied: all undone
            raise BundleError(f"{error}\n（{path}）") from error


def _import(db: Database, bundle: _OpenBundle, path: Path, dry_run: bool, progress: Progress | None) -> ImportSummary:
    header = bundle.header
    if header.get("source_db") == db.database_id:
        raise SameDatabaseError(
            "この取り込みファイルはこのデータベース自身（または同じデータベースファイルのコピー）から作成されています。"
            "取り込みませんでした。コピーしたデータベースを別々のパソコンで使っているときは、どちらか一方に新しい ID を"
            "付けると取り込めます（画面: 取り込みのときの確認、コマンド: `kaigo-desktop bundle new-id`）。")
    summary = ImportSummary(dry_run=dry_run, made_at=str(header.get("created_at") or ""),
                            made_by=str(header.get("created_by") or ""),
                            destination=str(header.get("destination") or ""))
    try:
        with db.page_cache(_WRITE_CACHE_MIB), db.write() as stamp:
            db.audit_operation(f"取り込みファイル {path.name}（{header.get('source_name') or header['source_db']}）")
            if q.already_received(db.conn, header["content_sha256"]):
                summary.already_imported = True
                summary.skipped = sum(header.get("counts", {}).values())
                raise _RollBack
            summary.gaps = _gaps(db.conn, header)
            total = sum(header.get("counts", {}).values())  # as declared: progress only
            done, table, columns = 0, "", []
            # the rows read and not applied yet, as the bundle gives them, and their values column by column
            waiting: list[list[Any]] = []
            waiting_columns: list[list[Any]] = []
            behind = _WritesBehind()  # chunk N is written while chunk N + 1 is read and checked
            answers = received_rows.RuleAnswers()

            def apply_waiting(upto: int) -> None:
                nonlocal done
                chunk = ListRows(columns, waiting[:upto], [column[:upto] for column in waiting_columns])
                del waiting[:upto]
                for column in waiting_columns:
                    del column[:upto]
                checked = _problems_meanwhile(table, chunk, answers)
                behind.settle()
                if progress is not None:
                    progress(min(done, total), total)
                _apply_received(db, stamp, table, chunk, summary, checked=checked, answers=answers, behind=behind)
                done += len(chunk)

            # a large table's secondary indexes set aside while it loads (table_load)
            with ExitStack() as table_load, quick_hand_over(), closing(bundle.content()) as content:
                try:
                    for item in content:
                        if isinstance(item, bundle_content.Rows):
                            waiting += item.rows
                            for column, more in zip(waiting_columns, item.by_column, strict=True):
                                column += more
                            while len(waiting) >= _CHUNK:
                                apply_waiting(_CHUNK)
                        elif isinstance(item, bundle_content.Columns):
                            if not bundle.encrypted and item.table in PERSONAL_TABLES:  # not declared in counts
                                raise BundleError(PERSONAL_RECEIVED_PLAIN.format(path=path))
                            if waiting:
                                apply_waiting(len(waiting))
                            behind.settle()
                            table_load.close()
                            table, columns = item
                            waiting_columns = [[] for _ in columns]
                            table_load.enter_context(
                                bulk_indexes.set_aside_for_load(db, table, _declared(header, table)))
                        else:
                            entries = audit_exchange.received_values(item.entries, header["source_db"], stamp.at)
                            behind.start(partial(audit_exchange.keep_received, db.conn, entries))
                    if waiting:
                        apply_waiting(len(waiting))
                    behind.settle()
                finally:
                    behind.stop()  # joined before the indexes are made again and before the commit or rollback
            if progress is not None:
                progress(total, total)
            _settle(db, stamp, summary)
            q.mark_received(db.conn, header["content_sha256"], header["source_db"], _seq(header.get("max_seq")),
                            stamp.at, destination=summary.destination, scope=_header_scope(header),
                            since_seq=_seq(header.get("since_seq")), made_at=summary.made_at,
                            made_by=summary.made_by)
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return summary


def _declared(header: dict[str, Any], table: str) -> int:
    """How many rows of `table` the header says the bundle holds (0 when it does not say): it only decides
    whether the table's indexes are set aside, so a header that lies costs time, never correctness."""
    counts = header.get("counts")
    count = counts.get(table) if isinstance(counts, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def _seq(value: Any) -> int:
    """A change number from a bundle's header (0 when it is not one)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _header_scope(header: dict[str, Any]) -> str:
    municipality, center = header.get("municipality"), header.get("center")
    return _scope(municipality if isinstance(municipality, str) else None, center if isinstance(center, str) else None)


def _gaps(conn: sqlite3.Connection, header: dict[str, Any]) -> list[Gap]:
    """The sender's changes before this bundle's start (since_seq) that no bundle received here for the same
    destination and scope carried. A bundle made with since="all" starts at 0: it never has a gap."""
    since = _seq(header.get("since_seq"))
    if not since:
        return []
    source, destination = str(header.get("source_db") or ""), str(header.get("destination") or "")
    made_by, made_at = str(header.get("created_by") or ""), str(header.get("created_at") or "")
    gaps, covered, covered_at = [], 0, None
    for start, end, at in q.received_ranges(conn, source, destination, _header_scope(header)):
        if covered >= since:
            break
        if start > covered:
            gaps.append(Gap(source, made_by, destination, covered + 1, min(start, since), covered_at,
                            at if start < since else made_at))
        if end > covered:
            covered, covered_at = end, at
    if covered < since:
        gaps.append(Gap(source, made_by, destination, covered + 1, since, covered_at, made_at))
    return gaps


def _retry_pending(db: Database, stamp: WriteStamp, summary: ImportSummary, unknown_too: bool = False) -> int:
    """Apply waiting rows whose place or promoter has arrived; returns how many left the queue. Only those are
    read (by the index on what each waits for): rows still waiting cost nothing, however many there are.
    unknown_too: also the rows not known to wait for anything in particular (kept before db/0008)."""
    moved = 0
    while True:
        taken = q.take_ready_pending(db.conn, USER_TABLES, unknown_too)
        unknown_too = False  # once: those that wait again are now known to wait for something
        if not taken:
            return moved
        retry = ImportSummary()
        for table in USER_TABLES:
            rows = [row for name, row in taken if name == table]
            # Two waiting versions of one record go in separate rounds: the second is then judged against the
            # first (a later edit of it, the same, or a conflict), never by the PCs' clocks.
            while rows:
                batch, later, seen = [], [], set()
                for row in rows:
                    (later if row["id"] in seen else batch).append(row)
                    seen.add(row["id"])
                _apply_rows(db, stamp, table, batch, retry)
                rows = later
        summary.take(retry)
        moved += len(taken)


_BOOKKEEPING = ("created_at", "updated_at", "updated_by", "origin_db", "deleted_at")


def _same_data(local: Any, row: dict[str, Any], differing: list[str]) -> bool:
    """The same record content: equal fields, both live or both in the trash (whenever each was deleted)."""
    return ((local["deleted_at"] is None) == (row.get("deleted_at") is None)
            and all(c in _BOOKKEEPING for c in differing))


@dataclass
class _Update:
    """A later version of a record we have, written in a batch with others changing the same columns."""
    changed: dict[str, Any]
    full: dict[str, Any]
    local: Any
    version: str
    lineage: list[str]
    kind: str


def _apply_rows(db: Database, stamp: WriteStamp, table: str, incoming: list[dict[str, Any]],
                summary: ImportSummary) -> None:
    """Merge rows held back, retried or kept in a conflict (dicts, as they were stored)."""
    found = received_rows.problems_of_rows(db, table, incoming, date.today())
    _apply_checked(db, stamp, table, DictRows(incoming), found, summary)


def _apply_received(db: Database, stamp: WriteStamp, table: str, received: ListRows, summary: ImportSummary, *,
                    checked: dict[int, list[str]] | None, answers: received_rows.RuleAnswers,
                    behind: _WritesBehind) -> None:
    """Merge a chunk of a bundle's rows, as _apply_rows does, without a dict per row. checked: the rows'
    problems found already (_problems_meanwhile; None: not yet). The new rows are written on the helper thread
    of `behind`, and what follows their write runs at its next settle()."""
    behind.settle()
    if checked is None:
        checked = received_rows.problems_of_received(db, table, received.columns, received.rows,
                                                     received.by_column, date.today(), answers)
    _apply_checked(db, stamp, table, received, checked, summary, behind)


def _apply_checked(db: Database, stamp: WriteStamp, table: str, incoming: ListRows | DictRows,
                   problems_at: dict[int, list[str]], summary: ImportSummary,
                   behind: _WritesBehind | None = None) -> None:
    """Rows whose problems were found (`problems_at`: by index) held as invalid, the others merged — deletions
    first: a record put in the trash frees its name for another arriving in the same bundle."""
    if problems_at:
        _hold_invalid(db, stamp, table, [(incoming.full(index), problems) for index, problems in problems_at.items()],
                      summary)
        incoming = incoming.but(problems_at.keys())
    for group in incoming.deleted_first():
        _apply_group(db, stamp, table, group, summary, behind)


def _hold_invalid(db: Database, stamp: WriteStamp, table: str, invalid: list[tuple[dict[str, Any], list[str]]],
                  summary: ImportSummary) -> None:
    """Rows that do not pass the checks a record typed here passes (received_rows), with their problems:
    each becomes an 'invalid' conflict listing why, written nowhere else: a person sees it and drops it (keep
    local)."""
    ids = [row["id"] for row, _ in invalid if isinstance(row.get("id"), str)]
    local_rows = q.rows_by_id(db.conn, table, ids)
    for row, problems in invalid:
        if not isinstance(row.get("id"), str):
            row = {**row, "id": json.dumps(row.get("id"), ensure_ascii=False)}
        local = local_rows.get(row["id"])
        _conflict(db, stamp, table, local, {**row, PROBLEMS: problems}, INVALID, summary)
        summary.tally("invalid", table)


def _apply_group(db: Database, stamp: WriteStamp, table: str, incoming: ListRows | DictRows,
                 summary: ImportSummary, behind: _WritesBehind | None = None) -> None:
    if behind is not None:
        behind.settle()  # the rows before these are in: they are read below
    conn = db.conn
    local_cols = [c for c in q.columns(conn, table) if c != "change_seq"]
    ids = incoming.ids()
    local_rows = q.rows_by_id(conn, table, ids)
    # the rows of records here, merged one by one below; the others, new here (the usual case of a big
    # bundle), are written in batches, as they came
    known_here = [index for index, row_id in enumerate(ids) if row_id in local_rows] if local_rows else []
    known = q.bases(conn, table, [ids[index] for index in known_here])
    open_ids = set(q.open_conflict_row_ids(conn, table, "both_changed"))
    new_bases: list[tuple[str, str, list[str], list[str]]] = []
    updates: list[_Update] = []
    for full in map(incoming.full, known_here):
        local = local_rows[full["id"]]
        ancestors = list(full.get(ANCESTORS) or [])
        row = {c: full.get(c) for c in local_cols if c in full}
        row["change_seq"] = stamp.change_seq
        version = _version(row)
        local_version = _version(local)
        base = known.get(row["id"])
        local_ancestors = _local_ancestors(local_version, base)
        # versions holding exactly our data (the same figure entered elsewhere): edits of them are edits of ours
        same_as = base.same_as if base is not None and base.version == local_version else []
        differing = [c for c in row if c != "change_seq" and local[c] != row[c]]
        same_data = _same_data(local, row, differing)
        winner = max(version, local_version)
        seen_before = version in local_ancestors or version in same_as
        # Each side's version listed in the other's history (equal-data merges on PCs with clocks apart can
        # make such a loop): neither is later. Every PC meeting the pair sees the same loop, so every PC keeps
        # the larger version; the other is written down as a conflict settled that way (nothing lost unseen).
        loop = seen_before and not same_data and local_version in ancestors
        if loop:
            lineage = sorted({*local_ancestors, *ancestors, local_version, version} - {winner})
            if winner == version:
                changed = {"id": row["id"], "change_seq": row["change_seq"], **{c: row[c] for c in differing}}
                if not _write(db, stamp, table, changed, full, insert=False, summary=summary):
                    continue
                summary.tally("updated", table)
            else:
                q.touch_row(conn, table, row["id"], stamp.change_seq)
                summary.tally("skipped", table)
            q.add_settled_conflict(conn, new_id(), table, row["id"], "both_changed", dict(local), full, stamp.at,
                                   "incoming" if winner == version else "local")
            new_bases.append((row["id"], winner, lineage, []))
            _close_settled(db, stamp, table, row["id"], {winner, *lineage}, open_ids)
        elif version == local_version or seen_before and (not same_data or winner == local_version):
            # Nothing to apply, but the sender may know more of this version's history: keep it, so a later
            # version descending from that history is recognised.
            _keep_earliest_created(conn, table, local, row)
            more = set(ancestors) - set(local_ancestors) - {local_version}
            if more:
                lineage = sorted({*local_ancestors, *more})
                new_bases.append((row["id"], local_version, lineage, same_as))
                _close_settled(db, stamp, table, row["id"], {local_version, *lineage}, open_ids)
            summary.tally("skipped", table)
        elif same_data:
            # The same data (the same figure entered on two PCs, both deleted it, a delete undone): the larger
            # version is kept everywhere — decided before history, so that every PC picks the same one
            # whichever way it heard of the two — and the other is remembered as equal.
            merged = sorted(set(local_ancestors) | set(ancestors) | {local_version, version})
            if winner == version:
                q.update_row(conn, table, row)
            else:  # ours is kept: send it again, so the side that made the other version learns that
                q.touch_row(conn, table, row["id"], stamp.change_seq)
            _keep_earliest_created(conn, table, local, row)
            _close_settled(db, stamp, table, row["id"], set(merged), open_ids)
            merged.remove(winner)
            new_bases.append((row["id"], winner, merged, sorted({*same_as, local_version, version} - {winner})))
            summary.tally("skipped", table)
        elif local_version in ancestors or set(same_as) & set(ancestors):
            # Only the columns that differ: SQLite rewrites every index naming a column that is SET.
            changed = {"id": row["id"], "change_seq": row["change_seq"], **{c: row[c] for c in differing}}
            updates.append(_Update(changed, full, local, version,
                                   sorted({*ancestors, local_version, *local_ancestors, *same_as} - {version}),
                                   "deleted" if row.get("deleted_at") and not local["deleted_at"] else "updated"))
        else:
            _conflict(db, stamp, table, dict(local), full, "both_changed", summary)
            # Our side of the conflict becomes part of the record's history, so a later local edit (made
            # before or instead of resolving) is known to descend from it.
            new_bases.append((row["id"], local_version, local_ancestors, same_as))
    def after_inserts(written: list[ListRows]) -> None:
        for batch in written:  # the others' bases are written with them
            new_bases.extend(batch.bases_with_ancestors())
        deleted = sum(batch.deleted_count() for batch in written)
        for kind, count in (("added", sum(map(len, written)) - deleted), ("deleted", deleted)):
            if count:
                summary.tally(kind, table, count)
        for update in _write_updates(db, stamp, table, updates, summary):
            row_id = update.changed["id"]
            _keep_earliest_created(conn, table, update.local, update.full)
            new_bases.append((row_id, update.version, update.lineage, []))
            _close_settled(db, stamp, table, row_id, {update.version, *update.lineage}, open_ids)
            summary.tally(update.kind, table)
        q.save_bases(conn, table, new_bases)

    _write_inserts(db, stamp, table, local_cols, incoming.batches(set(known_here)), summary, after_inserts, behind)


def _write_inserts(db: Database, stamp: WriteStamp, table: str, local_cols: list[str],
                   batches: list[ListRows], summary: ImportSummary,
                   then: Callable[[list[ListRows]], None], behind: _WritesBehind | None) -> None:
    """Write the incoming rows new here, each batch (rows of the same columns) in one statement (a million new
    gatherings: no dict per row), each with its base (without ancestors: the caller saves those); when a batch
    breaks a constraint (a record not here yet, a name taken) it is undone and written row by row, each failure
    handled alone. then(the rows written) follows: at once, or — with `behind` — once its helper thread has
    written them (the statements' values are made here, on the reading thread)."""
    staged = []
    for batch in batches:
        names = [c for c in local_cols if c in batch.columns]
        same = batch.same_in_every_row(names)  # the sender's id, no deletion, … bound once
        staged.append((batch, q.received_values(names, batch.values_of([c for c in names if c not in same]), same)))
    refused: list[bool] = []  # of each batch: whether a constraint refused it (then it left nothing)

    def insert() -> None:
        for batch, values in staged:
            # once the cache is filling, the earlier batches' pages go to the WAL now: spilled during this
            # batch, SQLite would first copy each into the batch's journal
            cache_flush.flush(db.conn)
            try:
                with db.write(), _insert_entries(db, table, len(batch)):  # a savepoint
                    q.insert_received(db.conn, table, values, stamp.change_seq)
                refused.append(False)
            except sqlite3.IntegrityError:
                refused.append(True)

    def after() -> None:
        written = []
        for (batch, values), fell in zip(staged, refused, strict=True):
            if not fell:
                written.append(batch)
                continue
            fallen_back = []
            for index in range(len(batch)):
                full = batch.full(index)
                row = {c: full[c] for c in values.columns}
                row["change_seq"] = stamp.change_seq
                if _write(db, stamp, table, row, full, insert=True, summary=summary):
                    fallen_back.append(index)
            q.save_bases(db.conn, table, [(full["id"], _version(full), []) for full in map(batch.full, fallen_back)])
            written.append(ListRows(batch.columns, [batch.rows[index] for index in fallen_back]))
        then(written)

    if behind is None or not staged:
        insert()
        after()
    else:
        behind.start(insert, after)


_BULK_AUDIT_ROWS = 1_000  # from this many new rows in one statement, their audit entries are written at once


def _insert_entries(db: Database, table: str, rows: int) -> AbstractContextManager[None]:
    """How the audit entries of `rows` new rows written in one statement are made: a small batch by the row
    trigger (the entry holds the row, shown in 変更履歴), a large one by one INSERT … SELECT after the statement,
    as the CSV import does (the entry holds no fields: what was inserted is the row itself). Either names the
    bundle and the PC it came from (the write's operation)."""
    return audit_log.inserts_logged_in_bulk(db.conn, table) if rows >= _BULK_AUDIT_ROWS else nullcontext()


def _write_updates(db: Database, stamp: WriteStamp, table: str, updates: list[_Update],
                   summary: ImportSummary) -> list[_Update]:
    """Write the updates, those changing the same columns in one statement (100,000 edited gatherings);
    when a batch breaks a constraint it is undone and written row by row, each failure handled alone.
    Returns the updates written."""
    batches: dict[tuple[str, ...], list[_Update]] = {}
    for update in updates:
        batches.setdefault(tuple(update.changed), []).append(update)
    written = []
    for batch in batches.values():
        try:
            with db.write():  # a savepoint: a failed batch leaves nothing behind
                q.update_rows(db.conn, table, [update.changed for update in batch])
            written += batch
        except sqlite3.IntegrityError:
            written += [update for update in batch
                        if _write(db, stamp, table, update.changed, update.full, insert=False, summary=summary)]
    return written


def _keep_earliest_created(conn: sqlite3.Connection, table: str, local: Any, incoming: dict[str, Any]) -> None:
    """One record made on two PCs (a natural key) keeps the earlier created_at on every side."""
    if incoming.get("created_at") and incoming["created_at"] < local["created_at"]:
        q.set_created_at(conn, table, local["id"], incoming["created_at"])


def _close_settled(db: Database, stamp: WriteStamp, table: str, row_id: str, lineage: set[str],
                   open_ids: set[str]) -> None:
    """An open conflict whose two versions are both behind the version just taken was settled elsewhere.
    open_ids: the records of `table` with an open conflict (asked once per batch: almost all rows have none)."""
    if row_id not in open_ids:
        return
    for found in q.open_conflicts_of(db.conn, table, row_id, "both_changed"):
        local, incoming = json.loads(found["local_json"] or "{}"), json.loads(found["incoming_json"])
        if local and _version(local) in lineage and _version(incoming) in lineage:
            q.mark_resolved(db.conn, found["id"], "elsewhere", stamp.at)


def _settle(db: Database, stamp: WriteStamp, summary: ImportSummary) -> None:
    """Retry what could not be applied until nothing more moves: rows waiting for their place or promoter,
    and records held back by a name collision (their namesake may have gone to the trash since)."""
    unknown_too = True
    while True:
        moved = _retry_pending(db, stamp, summary, unknown_too)
        unknown_too = False
        moved += _retry_same_name(db, stamp, summary)
        if not moved:
            moved = _retry_renames_together(db, stamp, summary)
        if not moved:
            break
    summary.pending = q.pending_count(db.conn)


def _retry_same_name(db: Database, stamp: WriteStamp, summary: ImportSummary) -> int:
    """A same-name conflict is over once its incoming version is here (it comes in once its namesake is in
    the trash, or a rename freed the name); then what was recorded under the record that went to the trash
    moves to the one kept, as where the decision was made."""
    conn, moved = db.conn, 0
    for found in q.open_conflicts_with_reason(conn, "same_name"):
        table, row_id = found["table_name"], found["row_id"]
        incoming = json.loads(found["incoming_json"])
        if not _holds(conn, table, row_id, _version(incoming)):
            retry = ImportSummary()
            _apply_rows(db, stamp, table, [incoming], retry)
            # not its conflicts: this one is already counted and stored
            summary.take(retry, ("added", "updated", "deleted"))
            if not _holds(conn, table, row_id, _version(incoming)):
                continue
            moved += 1
        q.mark_resolved(conn, found["id"], "elsewhere", stamp.at)
        if found["detected_at"] == stamp.at:  # found and settled within this import: not a conflict after all
            summary.tally("conflicts", table, -1)
        namesake = json.loads(found["local_json"]) if found["local_json"] else None
        if namesake is not None and not incoming.get(RENAMED):
            moved += _follow_the_kept_one(db, table, row_id, namesake["id"])
    return moved


def _retry_renames_together(db: Database, stamp: WriteStamp, summary: ImportSummary) -> int:
    """Renames held back by each other (two places whose names were swapped elsewhere) can only be applied
    together: their names are set aside for a moment, then every held-back version is applied. All of them
    are, or none (a savepoint), so no record is left with a name that was never given to it."""
    conn = db.conn
    waiting = [(found, json.loads(found["incoming_json"])) for found in q.open_conflicts_with_reason(conn, "same_name")]
    held = [(found, incoming) for found, incoming in waiting if incoming.get(RENAMED)
            and not _holds(conn, found["table_name"], found["row_id"], _version(incoming))
            and q.rows_by_id(conn, found["table_name"], [found["row_id"]])]
    if len(held) < 2:
        return 0

    class _NotAll(Exception):
        pass

    retry = ImportSummary()
    try:
        with db.write():  # a savepoint
            for found, _ in held:
                q.set_name_aside(conn, found["table_name"], found["row_id"])
            for found, incoming in held:
                _apply_rows(db, stamp, found["table_name"], [incoming], retry)
            if not all(_holds(conn, found["table_name"], found["row_id"], _version(incoming))
                       for found, incoming in held):
                raise _NotAll
    except _NotAll:
        return 0
    summary.take(retry, ("updated",))
    for found, _ in held:
        q.mark_resolved(conn, found["id"], "elsewhere", stamp.at)
        if found["detected_at"] == stamp.at:
            summary.tally("conflicts", found["table_name"], -1)
    return len(held)


def _holds(conn: sqlite3.Connection, table: str, row_id: str, version: str) -> bool:
    """Whether this database has the record at `version` or a version after it."""
    local = q.rows_by_id(conn, table, [row_id]).get(row_id)
    if local is None:
        return False
    local_version = _version(local)
    return version == local_version or version in _local_ancestors(
        local_version, q.bases(conn, table, [row_id]).get(row_id))


def _follow_the_kept_one(db: Database, table: str, one_id: str, other_id: str) -> int:
    """Of two namesakes, if one is in the trash and the other live, move the live records under the one in
    the trash to the other; returns how many moved."""
    found = q.rows_by_id(db.conn, table, [one_id, other_id])
    if len(found) < 2:
        return 0
    one, other = found[one_id], found[other_id]
    if (one["deleted_at"] is None) == (other["deleted_at"] is None):
        return 0
    dropped, kept = (one, other) if one["deleted_at"] is not None else (other, one)
    result = duplicates.move_references(db, table, dropped["id"], kept["id"], dropped["name"], kept["name"])
    return sum(result.moved.values())


def _write(db: Database, stamp: WriteStamp, table: str, row: dict[str, Any], full: dict[str, Any], *,
           insert: bool, summary: ImportSummary) -> bool:
    try:
        (q.insert_row if insert else q.update_row)(db.conn, table, row)
        return True
    except sqlite3.IntegrityError as error:
        kind = sqlite_errors.constraint_violation(error).kind
        if kind == sqlite_errors.UNKNOWN_REFERENCE:
            # what it refers to is not here yet: it waits, indexed by that record, and is retried when it comes
            q.add_pending(db.conn, table, row["id"], _version(full), full, q.missing_parent(db.conn, table, full),
                          stamp.at)
            summary.tally("skipped", table)
        elif kind in (sqlite_errors.DUPLICATE_NAME, sqlite_errors.DUPLICATE):
            other = q.live_row_with_name(db.conn, table, full)
            # a record we have, renamed elsewhere to a name taken here, is not a duplicate of the namesake
            _conflict(db, stamp, table, None if other is None else dict(other),
                      full if insert else {**full, RENAMED: True}, "same_name", summary)
        elif kind == sqlite_errors.PERIOD_LOCKED:
            # a change of a locked 年度 (提出済み) waits as a listed conflict saying so; once the 年度 is
            # unlocked, keeping the incoming version writes it
            local = q.rows_by_id(db.conn, table, [row["id"]]).get(row["id"])
            _conflict(db, stamp, table, None if local is None else dict(local),
                      {**full, PROBLEMS: [period_queries.locked_message(db.conn, full)]}, INVALID, summary)
            summary.tally("invalid", table)
        else:  # a rule of this database that the checks before writing do not know of
            _conflict(db, stamp, table, None, {**full, PROBLEMS: [f"このデータベースの決まりに合いません（{error}）。"]},
                      INVALID, summary)
            summary.tally("invalid", table)
        return False


def _conflict(db: Database, stamp: WriteStamp, table: str, local: dict[str, Any] | None,
              incoming: dict[str, Any], reason: str, summary: ImportSummary) -> None:
    """Store a conflict, one per record and reason: a later version of the same incoming record replaces the
    one already waiting (a person then chooses once, between the newest versions); an older one is dropped."""
    summary.tally("conflicts", table)
    version, lineage = _version(incoming), _lineage(incoming)
    for found in q.open_conflicts_of(db.conn, table, incoming["id"], reason):
        waiting = json.loads(found["incoming_json"])
        if _version(waiting) == version:
            return
        if _version(waiting) in lineage:
            q.update_conflict(db.conn, found["id"], local, incoming, stamp.at)
            return
        if version in _lineage(waiting):
            return
    q.add_conflict(db.conn, new_id(), table, incoming["id"], reason, local, incoming, stamp.at)


def _lineage(row: dict[str, Any]) -> set[str]:
    ancestors = row.get(ANCESTORS)
    return {a for a in ancestors if isinstance(a, str)} if isinstance(ancestors, list) else set()


# ---- rows held back waiting for a record ----------------------------------------------------------

@dataclass(frozen=True)
class PendingRow:
    """An incoming row held back until the record it refers to arrives (a bundle not imported yet)."""
    id: int
    table: str
    row_id: str
    incoming: dict[str, Any]
    parent_table: str | None  # with parent_id, the record it waits for (None: not known, before db/0008)
    parent_id: str | None
    received_at: str | None


def list_pending(db: Database, limit: int | None = None) -> list[PendingRow]:
    """The held-back rows, oldest first (the first `limit` of them)."""
    return [PendingRow(row["id"], row["table_name"], row["row_id"], json.loads(row["incoming_json"]),
                       row["parent_table"], row["parent_id"], row["received_at"])
            for row in q.pending_rows(db.conn, limit)]


def pending_count(db: Database) -> int:
    return q.pending_count(db.conn)


def drop_pending(db: Database, ids: list[int] | None) -> int:
    """Drop held-back rows (ids None: all of them), all or none: an id not waiting drops nothing (ConflictError).
    A dropped row is gone from this PC; a bundle made with since="all" by its sender brings it again."""
    rights.require(db, roles.EXCHANGE)
    with db.write():
        if ids is not None:
            waiting = {row.id for row in list_pending(db)}
            unknown = [str(i) for i in ids if i not in waiting]
            if unknown:
                raise ConflictError(f"保留中の記録が見つかりません: {', '.join(unknown)}。何も破棄していません。")
        return q.drop_pending(db.conn, ids)


# ---- conflicts -------------------------------------------------------------------------------------

def _as_conflict(row: sqlite3.Row) -> Conflict:
    return Conflict(row["id"], row["table_name"], row["row_id"], row["reason"],
                    None if row["local_json"] is None else json.loads(row["local_json"]),
                    json.loads(row["incoming_json"]), row["detected_at"], row["resolved_at"], row["resolution"])


def list_conflicts(db: Database, *, include_resolved: bool = False) -> list[Conflict]:
    """Open conflicts show this PC's side as it is now (it may have been edited again since the conflict was
    found): that is the version keep="incoming" would replace."""
    found = [_as_conflict(row) for row in q.conflicts(db.conn, include_resolved=include_resolved)]
    return [dataclasses.replace(c, local=_live_local(db, c)) if c.resolved_at is None and c.reason == "both_changed"
            else c for c in found]


def _live_local(db: Database, conflict: Conflict) -> dict[str, Any] | None:
    row = q.rows_by_id(db.conn, conflict.table, [conflict.row_id]).get(conflict.row_id)
    if row is None:
        return conflict.local
    live = dict(row)
    live.pop("change_seq", None)
    return live


def resolve_conflict(db: Database, conflict_id: str, keep: str) -> None:
    """keep="local": our version stays; keep="incoming": the other PC's version is written. Either way the
    result is a new version descending from both, so the other side takes it without a new conflict."""
    rights.require(db, roles.EXCHANGE)
    if keep not in ("local", "incoming"):
        raise ValueError(f"keep must be 'local' or 'incoming': {keep!r}")
    conn = db.conn
    with db.write() as stamp:
        db.audit_operation("競合の解決: " + ("この PC の版を残す" if keep == "local" else "取り込んだ版を残す"))
        found = q.conflict(conn, conflict_id)
        if found is None or found["resolved_at"] is not None:
            raise ConflictError(f"未解決の競合が見つかりません: {conflict_id}")
        conflict = _as_conflict(found)
        table, incoming = conflict.table, dict(conflict.incoming)
        incoming_ancestors = incoming.pop(ANCESTORS, []) or []
        cols = [c for c in q.columns(conn, table) if c != "change_seq"]
        stamped = {"updated_at": stamp.at, "updated_by": stamp.by, "origin_db": stamp.origin_db,
                   "change_seq": stamp.change_seq}
        try:
            held_back_rename = (conflict.reason == "same_name"
                                and bool(q.rows_by_id(conn, table, [conflict.row_id])))
            if held_back_rename:
                # A record we have, renamed elsewhere to a name one of ours has: the two are different
                # records, so nothing is merged; keeping the other PC's name needs ours renamed first.
                try:
                    _write_decision(conn, table, conflict.row_id, keep, incoming, incoming_ancestors, cols, stamped)
                except sqlite3.IntegrityError as error:
                    if sqlite_errors.constraint_violation(error).kind != sqlite_errors.DUPLICATE_NAME:
                        raise  # another rule broken: the general refusal below says which
                    raise ConflictError(f"「{incoming.get('name')}」という名前はこのパソコンの別の記録が使っています。"
                                        "先にどちらかの名前を変えてから選んでください。",
                                        kind="name_taken", field="name") from error
            elif conflict.reason == "same_name":
                row = {c: incoming.get(c) for c in cols if c in incoming}
                namesake = q.live_row_with_name(conn, table, incoming)
                if keep == "local":
                    # The incoming namesake is kept as deleted, as a version after it: the PC that made it
                    # takes the deletion, and every side ends with the same one record of that name.
                    row.update(stamped, deleted_at=stamp.at)
                    exists = q.rows_by_id(conn, table, [row["id"]])
                    (q.update_row if exists else q.insert_row)(conn, table, row)
                    q.save_bases(conn, table, [(row["id"], _version(row),
                                                sorted({*incoming_ancestors, _version(incoming)}))])
                else:
                    if namesake is not None:  # the local namesake goes to the trash
                        q.trash_row(conn, table, namesake["id"], stamp.at, stamp.by, stamp.origin_db,
                                    stamp.change_seq)
                    # then the incoming record arrives as any other would (it may be here already, or newer)
                    _apply_rows(db, stamp, table, [conflict.incoming], ImportSummary())
                    if not q.rows_by_id(conn, table, [conflict.row_id]):
                        raise ConflictError("取り込んだ版を追加できませんでした。")
                _settle(db, stamp, ImportSummary())  # rows that waited for the record just added
                if namesake is not None:
                    # The two are one place (or person): what was recorded under the one not kept moves over.
                    kept, dropped = ((namesake, incoming) if keep == "local" else (incoming, namesake))
                    duplicates.move_references(db, table, dropped["id"], kept["id"], dropped["name"], kept["name"])
            elif conflict.reason != "both_changed":
                # The incoming record could not be written here (it broke a rule of this database): keeping
                # ours drops it; keeping it tries again, as an import would.
                if keep == "incoming":
                    _apply_rows(db, stamp, table, [conflict.incoming], ImportSummary())
                    row = q.rows_by_id(conn, table, [conflict.row_id]).get(conflict.row_id)
                    if row is None or _version(row) != _version(incoming):
                        why = "".join(conflict.incoming.get(PROBLEMS) or [])
                        raise ConflictError("取り込んだ版はこのデータベースに書き込めません（内容がこのデータベースの"
                                            "決まりに合いません）。「この PC の版を残す」を選んでください。" + why)
            else:
                q.set_conflict_local(conn, conflict_id, _live_local(db, conflict))  # the version decided on
                _write_decision(conn, table, conflict.row_id, keep, incoming, incoming_ancestors, cols, stamped)
        except sqlite3.IntegrityError as error:
            if sqlite_errors.is_period_locked(error):
                raise period_queries.period_locked_error(conn, incoming) from error
            raise ConflictError(f"この版を残すことはできません（{error}）。") from error
        q.mark_resolved(conn, conflict_id, keep, stamp.at)


def _write_decision(conn: sqlite3.Connection, table: str, row_id: str, keep: str, incoming: dict[str, Any],
                    incoming_ancestors: list[str], cols: list[str], stamped: dict[str, Any]) -> None:
    """A new version of the record holding the data kept (ours or the incoming), descending from both sides,
    so every other PC takes it without a new conflict."""
    local = q.rows_by_id(conn, table, [row_id]).get(row_id)
    if local is None:
        raise ConflictError(f"競合したレコードが見つかりません: {row_id}")
    local_version = _version(local)
    local_ancestors = _local_ancestors(local_version, q.bases(conn, table, [row_id]).get(row_id))
    merged = sorted(set(local_ancestors) | set(incoming_ancestors) | {local_version, _version(incoming)})
    source = local if keep == "local" else incoming
    row = {c: source.get(c) for c in cols if c in source}
    row.update(stamped, id=row_id)
    q.update_row(conn, table, row)
    _keep_earliest_created(conn, table, local, incoming)
    q.save_bases(conn, table, [(row_id, _version(row), merged)])
