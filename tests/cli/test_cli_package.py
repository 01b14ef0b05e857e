"""The CLI package's shape: one way to open the database, one set of exit codes, one handler for user errors."""

from __future__ import annotations

import ast
from pathlib import Path

import kaigo_desktop.cli as cli
from kaigo_desktop.cli import main
from kaigo_desktop.domain.errors import UserFacingError

CLI_DIR = Path(cli.__file__).parent


def _sources() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(CLI_DIR.glob("*.py"))}


def test_only_database_py_opens_the_database() -> None:
    openers = {name for name, tree in _sources().items()
               for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and node.attr in ("open", "create_new")
               and isinstance(node.value, ast.Name) and node.value.id == "Database"}
    assert openers == {"database.py"}


def test_exit_codes_are_defined_once() -> None:
    definers = {name for name, tree in _sources().items()
                for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for target in node.targets
                for name_node in ast.walk(target)
                if isinstance(name_node, ast.Name) and name_node.id.startswith("EXIT_")}
    assert definers == {"exits.py"}


def test_no_cli_module_is_left_outside_the_package() -> None:
    package = CLI_DIR.parent
    assert not list(package.glob("cli_*.py")) and not (package / "cli.py").exists()
    assert not (package / "reports" / "cli_commands.py").exists()


def test_any_user_facing_error_ends_in_its_message_and_exit_2(db_path: Path, monkeypatch, capsys) -> None:
    """Not only storage errors: every error a person can act on (the one typed error) is caught in one place."""
    def refuses(args, path):
        raise UserFacingError("この操作はできません。", kind="refused")

    monkeypatch.setitem(cli._commands(), "check", refuses)
    assert main(["--db", str(db_path), "check"]) == 2
    err = capsys.readouterr().err
    assert err == "エラー: この操作はできません。\n"
