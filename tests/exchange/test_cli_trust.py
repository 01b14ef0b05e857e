"""`bundle trust list|show|export|add|remove` and `bundle import` of forged or unknown bundles, through the
real CLI (and once as a separate process: exit 2, a Japanese message, no traceback)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile

from kaigo_desktop.cli import main
from tests.exchange.test_bundle_signing import vandalise
from tests.exchange.test_exchange import _gathering, _make, _place


def _fingerprint(out: str) -> str:
    return out.split("指紋: ")[1].split()[0]


def test_trust_by_trust_file_then_by_fingerprint_then_removed(template_db_path, tmp_path, capsys, monkeypatch) -> None:
    a, b = _make(template_db_path, tmp_path, "center_a"), _make(template_db_path, tmp_path, "town_b")
    _gathering(a, _place(a))
    a_path, b_path = a.path, b.path
    a.close(), b.close()
    bundle = tmp_path / "a.kaigo"
    assert main(["--db", str(a_path), "bundle", "export", "--out", str(bundle)]) == 0
    capsys.readouterr()
    assert main(["--db", str(b_path), "bundle", "import", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert "まだ信頼していないパソコン" in err and "Traceback" not in err

    # the trust file, carried on the first USB stick
    trust_file = tmp_path / "center_a.json"
    assert main(["--db", str(a_path), "bundle", "trust", "export", "--out", str(trust_file)]) == 0
    assert main(["--db", str(a_path), "bundle", "trust", "export", "--out", str(trust_file)]) == 2  # never replaced
    assert main(["--db", str(a_path), "bundle", "trust", "fingerprint"]) == 0
    a_fingerprint = _fingerprint(capsys.readouterr().out)
    assert main(["--db", str(b_path), "bundle", "trust", "add", str(trust_file)]) == 0
    assert main(["--db", str(b_path), "bundle", "trust", "list"]) == 0
    out = capsys.readouterr().out
    assert a_fingerprint in out and "信頼するパソコン: 1 台" in out
    assert main(["--db", str(b_path), "bundle", "import", str(bundle)]) == 0

    # removed by fingerprint: refused again; added back from the bundle with the fingerprint read by phone
    assert main(["--db", str(b_path), "bundle", "trust", "remove", a_fingerprint]) == 0
    assert main(["--db", str(b_path), "bundle", "trust", "remove", a_fingerprint]) == 2
    capsys.readouterr()
    assert main(["--db", str(b_path), "bundle", "trust", "add", "--from-bundle", str(bundle),
                 "--fingerprint", "0000-0000-0000-0000-0000"]) == 2
    assert "指紋が一致しません" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", str(b_path), "bundle", "trust", "add", "--from-bundle", str(bundle)]) == 2
    assert "--fingerprint" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: "yes")  # the person compared it and says yes
    assert main(["--db", str(b_path), "bundle", "trust", "add", "--from-bundle", str(bundle)]) == 0
    assert "信頼するパソコンに追加しました" in capsys.readouterr().out
    assert main(["--db", str(b_path), "bundle", "trust", "list"]) == 0
    assert "信頼するパソコン: 1 台" in capsys.readouterr().out
    assert main(["--db", str(b_path), "bundle", "trust", "add", str(bundle)]) == 2  # a bundle is not a trust file


def test_a_forged_bundle_exits_2_with_a_japanese_message_and_no_traceback(template_db_path, tmp_path) -> None:
    a, b = _make(template_db_path, tmp_path, "center_a"), _make(template_db_path, tmp_path, "town_b")
    _gathering(a, _place(a), 10)
    a_path, b_path = a.path, b.path
    a.close(), b.close()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cli = [sys.executable, "-m", "kaigo_desktop", "--db"]
    bundle, forged = tmp_path / "a.kaigo", tmp_path / "forged.kaigo"
    subprocess.run([*cli, str(a_path), "bundle", "export", "--out", str(bundle)], check=True, env=env,
                   capture_output=True)
    trust = tmp_path / "a.json"
    subprocess.run([*cli, str(a_path), "bundle", "trust", "export", "--out", str(trust)], check=True, env=env,
                   capture_output=True)
    subprocess.run([*cli, str(b_path), "bundle", "trust", "add", str(trust)], check=True, env=env,
                   capture_output=True)
    with zipfile.ZipFile(bundle) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["content.json"] = vandalise(parts["content.json"])
    header = json.loads(parts["header.json"])
    header["content_sha256"] = hashlib.sha256(parts["content.json"]).hexdigest()
    parts["header.json"] = json.dumps(header).encode()
    with zipfile.ZipFile(forged, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    before = b_path.read_bytes()
    run = subprocess.run([*cli, str(b_path), "bundle", "import", str(forged)], env=env, capture_output=True,
                         text=True, encoding="utf-8")
    assert run.returncode == 2
    assert "署名が一致しません" in run.stderr and "Traceback" not in run.stderr + run.stdout
    assert b_path.read_bytes() == before
