"""Users, passwords and logging in (services/users.py): real database files, hashes read back from the bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.records import Center, Place, Promoter
from kaigo_desktop.services import passwords, records, rights, users
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"


@pytest.fixture
def db(tmp_path: Path):
    database = Database.open(tmp_path / "users.sqlite3", create=True, user="設定者")
    yield database
    database.close()


@pytest.fixture
def center(db: Database) -> Center:
    return records.add(db, Center(CHIYODA, "神田センター"))


@pytest.fixture
def promoter(db: Database) -> Promoter:
    return records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_passwords_are_stored_as_salted_scrypt_hashes_never_plainly(db: Database, tmp_path: Path) -> None:
    users.add_user(db, "田中", roles.ADMIN, password="ひみつpass123")
    users.add_user(db, "佐藤", roles.ADMIN, password="ひみつpass123")
    stored = [row[0] for row in db.query("SELECT password_hash FROM users ORDER BY name")]
    assert all(h.startswith("scrypt$16384$8$1$") for h in stored)
    assert stored[0] != stored[1]  # a salt each: the same password, two different hashes
    db.close()
    data = _file_bytes(tmp_path / "users.sqlite3")
    assert "ひみつpass123".encode() not in data and b"pass123" not in data
    with Database.open(tmp_path / "users.sqlite3") as again:
        assert users.login(again, "田中", "ひみつpass123").name == "田中"


def test_verify_is_exact_and_a_damaged_hash_matches_nothing() -> None:
    stored = passwords.hash_password("abc")
    assert passwords.verify("abc", stored) and not passwords.verify("abd", stored)
    assert not passwords.verify("abc", stored[:-6] + "AAAAAA")
    assert not passwords.verify("abc", "scrypt$broken")
    assert passwords.hash_password("") == "" and passwords.verify("anything", "")


def test_a_database_without_users_has_the_implicit_admin_and_with_users_reads_only_until_login(
        db: Database, tmp_path: Path) -> None:
    assert db.actor == roles.IMPLICIT_ADMIN and not users.has_users(db)
    users.add_user(db, "田中", roles.ADMIN, password="pw")
    db.close()
    with Database.open(tmp_path / "users.sqlite3", user="名無し") as again:
        assert again.actor == roles.NOBODY
        before = again.conn.total_changes
        with pytest.raises(rights.Forbidden, match="ログインが必要"):
            records.add(again, Place(CHIYODA, "さくら会"))
        assert again.conn.total_changes == before
        actor = users.login(again, "田中", "pw")
        assert again.actor == actor and again.user == "田中"
        place = records.add(again, Place(CHIYODA, "さくら会"))
        assert place.meta.updated_by == "田中"  # the logged-in name is stamped, not --user's free text


def test_login_refuses_an_unknown_name_and_a_wrong_password_with_the_same_message(db: Database) -> None:
    users.add_user(db, "田中", roles.ADMIN, password="pw")
    messages = []
    for name, password in (("田中", "wrong"), ("誰か", "pw"), ("", "")):
        with pytest.raises(users.LoginRefused) as refused:
            users.login(db, name, password)
        messages.append(str(refused.value))
    assert set(messages) == {users.LOGIN_REFUSED_MESSAGE}
    assert db.actor == roles.IMPLICIT_ADMIN  # this connection was never logged in: unchanged by the refusals


def test_the_first_user_must_be_an_administrator(db: Database, center: Center) -> None:
    with pytest.raises(users.UserError, match="最初の利用者は区市町村管理者"):
        users.add_user(db, "鈴木", roles.STAFF, center_id=center.id)
    assert not users.has_users(db)


def test_roles_need_their_center_or_promoter_and_unknown_ones_are_refused(
        db: Database, center: Center, promoter: Promoter) -> None:
    users.add_user(db, "田中", roles.ADMIN)
    cases = [
        (dict(role=roles.STAFF), "center_id", "--center"),
        (dict(role=roles.STAFF, center_id="no-such-center"), "center_id", "見つかりません"),
        (dict(role=roles.PROMOTER), "promoter_id", "--promoter"),
        (dict(role=roles.PROMOTER, promoter_id="no-such"), "promoter_id", "見つかりません"),
        (dict(role=roles.ADMIN, center_id=center.id), "center_id", "センター職員だけ"),
        (dict(role=roles.STAFF, center_id=center.id, promoter_id=promoter.id), "promoter_id", "推進員の利用者だけ"),
        (dict(role="boss"), "role", "役割"),
    ]
    for kwargs, field, text in cases:
        role = kwargs.pop("role")
        with pytest.raises(users.UserError, match=text) as refused:
            users.add_user(db, "鈴木", role, **kwargs)
        assert refused.value.field == field
    for bad in ("", "   ", "a" * 41, "改行\nあり"):
        with pytest.raises(users.UserError):
            users.add_user(db, bad, roles.ADMIN)
    assert [u.name for u in users.list_users(db)] == ["田中"]
    staff = users.add_user(db, "鈴木", roles.STAFF, center_id=center.id)
    assert staff.actor == roles.Actor("鈴木", roles.STAFF, center_id=center.id)
    with pytest.raises(users.UserError, match="既にいます"):
        users.add_user(db, "鈴木", roles.ADMIN)


def test_only_an_administrator_manages_users_and_a_user_changes_only_their_own_password(
        db: Database, center: Center) -> None:
    users.add_user(db, "田中", roles.ADMIN, password="admin")
    users.add_user(db, "鈴木", roles.STAFF, center_id=center.id, password="old")
    users.login(db, "鈴木", "old")
    before = db.conn.total_changes
    for attempt in (lambda: users.add_user(db, "高橋", roles.ADMIN),
                    lambda: users.remove_user(db, "田中"),
                    lambda: users.change_role(db, "鈴木", roles.ADMIN),
                    lambda: users.set_password(db, "田中", "x")):
        with pytest.raises(rights.Forbidden, match="権限がありません"):
            attempt()
    assert db.conn.total_changes == before
    users.set_password(db, "鈴木", "new")
    with pytest.raises(users.LoginRefused):
        users.login(db, "鈴木", "old")
    assert users.login(db, "鈴木", "new").role == roles.STAFF


def test_the_last_administrator_can_be_neither_removed_nor_demoted(db: Database, center: Center) -> None:
    users.add_user(db, "田中", roles.ADMIN)
    with pytest.raises(users.UserError, match="最後の区市町村管理者"):
        users.remove_user(db, "田中")
    with pytest.raises(users.UserError, match="最後の区市町村管理者"):
        users.change_role(db, "田中", roles.STAFF, center_id=center.id)
    users.add_user(db, "佐藤", roles.ADMIN)
    users.change_role(db, "田中", roles.STAFF, center_id=center.id)
    with pytest.raises(users.UserError, match="最後の区市町村管理者"):
        users.remove_user(db, "佐藤")
    assert [(u.name, u.role) for u in users.list_users(db)] == [("佐藤", roles.ADMIN), ("田中", roles.STAFF)]


def test_a_removed_user_can_no_longer_log_in_and_keeps_its_row(db: Database) -> None:
    users.add_user(db, "田中", roles.ADMIN)
    users.add_user(db, "佐藤", roles.ADMIN, password="pw")
    users.remove_user(db, "佐藤")
    with pytest.raises(users.LoginRefused):
        users.login(db, "佐藤", "pw")
    assert db.scalar("SELECT removed_at IS NOT NULL FROM users WHERE name = '佐藤'") == 1
    assert [u.name for u in users.list_users(db)] == ["田中"]
