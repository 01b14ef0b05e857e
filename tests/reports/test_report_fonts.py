"""Font discovery in the order of the issues (user setting, BIZ UDゴシック of the PC, bundled, system) and the not-embedded fallback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from report_checks import CREATED, FY, fonts

from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.reports.fonts import CID_FALLBACK, NOT_EMBEDDED_WARNING, candidate_fonts, japanese_font

IPAEX = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
needs_ipaex = pytest.mark.skipif(not IPAEX.exists(), reason="fonts-ipaexfont-gothic is not installed")


@needs_ipaex
def test_system_font_is_found_and_embedded() -> None:
    choice = japanese_font(bundled_dir=None)
    assert choice.embedded and choice.path is not None and choice.source == "システム"
    assert choice.warnings == ()


@needs_ipaex
def test_user_setting_comes_first_then_bundled_then_system(tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    shutil.copyfile(IPAEX, bundled / "Bundled.ttf")
    system = tmp_path / "system"
    (system / "deep").mkdir(parents=True)
    shutil.copyfile(IPAEX, system / "deep" / "ipaexg.ttf")
    user = tmp_path / "mine.ttf"
    shutil.copyfile(IPAEX, user)
    order = candidate_fonts(user, bundled_dir=bundled, system_dirs=[system])
    assert [(path.name, source) for path, _, _, source in order] == [
        ("mine.ttf", "設定"), ("Bundled.ttf", "同梱"), ("ipaexg.ttf", "システム")]
    assert japanese_font(user, bundled_dir=bundled, system_dirs=[system]).source == "設定"
    assert japanese_font(None, bundled_dir=bundled, system_dirs=[system]).source == "同梱"
    assert japanese_font(None, bundled_dir=None, system_dirs=[system]).label == "IPAexゴシック"


@needs_ipaex
def test_biz_ud_gothic_of_the_pc_comes_before_the_bundled_font(tmp_path: Path) -> None:
    """BIZ UDゴシック when the PC has it (Windows 10/11), else the bundled font before other system fonts."""
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    shutil.copyfile(IPAEX, bundled / "ipaexg.ttf")
    system = tmp_path / "system"
    system.mkdir()
    shutil.copyfile(IPAEX, system / "msgothic.ttc")  # stands in for MS ゴシック: only the names are compared
    order = candidate_fonts(None, bundled_dir=bundled, system_dirs=[system])
    assert [(label, source) for _, _, label, source in order] == [("IPAexゴシック", "同梱"), ("MS ゴシック", "システム")]
    shutil.copyfile(IPAEX, system / "BIZUDGothic-Regular.ttf")  # stands in for BIZ UDゴシック
    order = candidate_fonts(None, bundled_dir=bundled, system_dirs=[system])
    assert [(label, source) for _, _, label, source in order] == [
        ("BIZ UDゴシック", "システム"), ("IPAexゴシック", "同梱"), ("MS ゴシック", "システム")]
    assert japanese_font(None, bundled_dir=bundled, system_dirs=[system]).label == "BIZ UDゴシック"


@needs_ipaex
def test_unusable_user_font_is_skipped_with_a_warning(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    system = tmp_path / "system"
    system.mkdir()
    shutil.copyfile(IPAEX, system / "ipaexg.ttf")
    choice = japanese_font(broken, bundled_dir=None, system_dirs=[system])
    assert choice.embedded and choice.source == "システム"
    assert len(choice.warnings) == 1 and "broken.ttf" in choice.warnings[0]


def test_no_font_falls_back_to_the_built_in_cid_font_with_a_warning(tmp_path: Path) -> None:
    choice = japanese_font(None, bundled_dir=None, system_dirs=[tmp_path])
    assert choice.name == CID_FALLBACK and not choice.embedded
    assert choice.warnings == (NOT_EMBEDDED_WARNING,)


def test_fallback_report_is_made_and_says_the_font_is_not_embedded(small, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from kaigo_desktop.reports import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "system_font_dirs", lambda: [tmp_path / "none"])
    monkeypatch.setattr(fonts_module, "bundled_font_dir", lambda: None)
    out = tmp_path / "r1.pdf"
    result = generate("submission", small, ReportOptions(fiscal_year=FY, created=CREATED), out)
    assert NOT_EMBEDDED_WARNING in result.warnings
    used = fonts(out)
    assert any(name.startswith("/HeiseiKakuGo-W5") and not embedded for name, embedded in used)


def test_the_shipped_ipaex_font_comes_before_system_fonts(tmp_path: Path) -> None:
    """resources/fonts carries IPAexゴシック and its licence: reports embed it on a PC without Japanese fonts."""
    from kaigo_desktop import paths

    shipped = paths.resources_dir() / "fonts"
    assert (shipped / "IPA_Font_License_Agreement_v1.0.txt").is_file()
    system = tmp_path / "system"
    system.mkdir()
    choice = japanese_font(None, system_dirs=[system])
    assert (choice.path, choice.label, choice.source, choice.embedded) == (
        shipped / "ipaexg.ttf", "IPAexゴシック", "同梱", True)
    assert choice.warnings == ()
