"""The `bundle` commands, driven through their own parser."""

from __future__ import annotations

import argparse

from kaigo_desktop.cli.exchange import EXCHANGE_COMMANDS, add_exchange_commands
from tests.exchange.test_exchange import _gathering, _place, pcs  # noqa: F401


def _run(argv, db_path):
    parser = argparse.ArgumentParser()
    add_exchange_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return EXCHANGE_COMMANDS[args.command](args, db_path)


def test_cli_export_import_conflicts(pcs, tmp_path, capsys) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    a_path, b_path = a.path, b.path
    a.close(), b.close()
    out = tmp_path / "x.kaigo"
    assert _run(["bundle", "export", "--out", str(out), "--destination", "town"], a_path) == 0
    assert _run(["bundle", "import", str(out), "--dry-run"], b_path) == 0
    assert _run(["bundle", "import", str(out)], b_path) == 0
    assert "追加 2" in capsys.readouterr().out
    assert _run(["bundle", "import", str(out)], b_path) == 0
    assert "取り込み済み" in capsys.readouterr().out
    assert _run(["bundle", "conflicts"], b_path) == 0
    assert _run(["bundle", "resolve", "no-such", "--keep", "local"], b_path) == 2


def test_bundle_commands_through_the_real_cli_with_encryption(pcs, tmp_path, capsys, monkeypatch) -> None:  # noqa: F811
    from kaigo_desktop.cli import main

    a, b, _ = pcs
    _gathering(a, _place(a))
    a_path, b_path = a.path, b.path
    a.close(), b.close()
    out = tmp_path / "secret.kaigo"
    monkeypatch.setenv("KAIGO_BUNDLE_PASSPHRASE", "合言葉")
    assert main(["--db", str(a_path), "bundle", "export", "--out", str(out), "--since", "LAST", "--encrypt"]) == 0
    monkeypatch.setenv("KAIGO_BUNDLE_PASSPHRASE", "違う言葉")
    assert main(["--db", str(b_path), "bundle", "import", str(out)]) == 2
    assert "パスワードが違う" in capsys.readouterr().err
    monkeypatch.delenv("KAIGO_BUNDLE_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", str(b_path), "bundle", "import", str(out)]) == 2
    assert "KAIGO_BUNDLE_PASSPHRASE" in capsys.readouterr().err
    monkeypatch.setenv("KAIGO_BUNDLE_PASSPHRASE", "合言葉")
    assert main(["--db", str(b_path), "bundle", "import", str(out)]) == 0
    assert "追加 2" in capsys.readouterr().out
    assert main(["--db", str(b_path), "bundle", "conflicts"]) == 0


def test_a_copied_file_is_refused_until_it_gets_its_own_id(pcs, tmp_path, capsys) -> None:  # noqa: F811
    import shutil

    from kaigo_desktop.cli import main

    a, _, _ = pcs
    _gathering(a, _place(a))
    a_path = a.path
    a.close()
    copy = tmp_path / "copied_to_another_pc.sqlite3"
    shutil.copyfile(a_path, copy)
    from kaigo_desktop.storage.database import Database

    with Database.open(copy) as copied:  # work done on the copy (`demo` no longer writes into real records)
        _place(copied, "コピー先の会")
    out = tmp_path / "from_copy.kaigo"
    assert main(["--db", str(copy), "bundle", "export", "--out", str(out)]) == 0
    assert main(["--db", str(a_path), "bundle", "import", str(out)]) == 2
    assert "bundle new-id" in capsys.readouterr().err
    assert main(["--db", str(copy), "bundle", "new-id"]) == 0
    out2 = tmp_path / "from_copy2.kaigo"
    assert main(["--db", str(copy), "bundle", "export", "--out", str(out2), "--since", "all"]) == 0
    capsys.readouterr()
    assert main(["--db", str(a_path), "bundle", "import", str(out2)]) == 2  # a PC of its own: not trusted yet
    assert "まだ信頼していないパソコン" in capsys.readouterr().err
    assert main(["--db", str(copy), "bundle", "trust", "show"]) == 0
    fingerprint = capsys.readouterr().out.split("指紋: ")[1].split()[0]
    assert main(["--db", str(a_path), "bundle", "trust", "add", "--from-bundle", str(out2),
                 "--fingerprint", fingerprint]) == 0
    assert main(["--db", str(a_path), "bundle", "import", str(out2)]) == 0
