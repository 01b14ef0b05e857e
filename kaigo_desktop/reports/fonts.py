"""The Japanese font of the PDF reports: an embedded TrueType-outline font found in the order of the issues
(a user setting, BIZ UDゴシック when the PC has it, the font bundled with the app, other system fonts), else reportlab's built-in HeiseiKakuGo-W5 with a
warning that the font is not embedded. reportlab cannot embed CFF-outline fonts (Noto CJK), so every candidate
is tried and skipped when it cannot be loaded."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

CID_FALLBACK = "HeiseiKakuGo-W5"
NOT_EMBEDDED_WARNING = (
    "日本語フォント（BIZ UDゴシック、IPAexゴシック、游ゴシック、MS ゴシックなど）が見つからないため、PDF にフォントを"
    "埋め込めませんでした（内蔵の HeiseiKakuGo-W5 を使用）。日本語フォントのないパソコンでは文字が表示されない"
    "ことがあります。IPAexゴシックなどをインストールするか、設定で TrueType フォントのファイルを指定してください。")

# System fonts in order of preference: (file name, index in a .ttc, label). File names are matched without
# regard to case in the font folders of Windows, Linux and macOS.
SYSTEM_FONTS: tuple[tuple[str, int, str], ...] = (
    ("BIZ-UDGothicR.ttc", 0, "BIZ UDゴシック"),  # Windows 10/11
    ("BIZUDGothic-Regular.ttf", 0, "BIZ UDゴシック"),  # fonts-morisawa-bizud-gothic, Google Fonts
    ("ipaexg.ttf", 0, "IPAexゴシック"),  # fonts-ipaexfont-gothic
    ("YuGothM.ttc", 0, "游ゴシック Medium"),
    ("YuGothR.ttc", 0, "游ゴシック"),
    ("msgothic.ttc", 0, "MS ゴシック"),
    ("ipag.ttf", 0, "IPAゴシック"),  # fonts-ipafont-gothic
    ("fonts-japanese-gothic.ttf", 0, "日本語ゴシック"),  # Debian's alternatives link
)


PREFERRED_LABEL = "BIZ UDゴシック"


@dataclass(frozen=True)
class FontChoice:
    name: str  # the reportlab font name to draw with
    label: str  # what to tell users ("IPAexゴシック", "HeiseiKakuGo-W5")
    path: Path | None  # None for the built-in CID font
    embedded: bool
    source: str  # "設定", "同梱", "システム" or "内蔵"
    warnings: tuple[str, ...] = ()


def system_font_dirs() -> list[Path]:
    home = Path.home()
    dirs: list[Path] = []
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [home / "Library" / "Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    else:
        data_home = os.environ.get("XDG_DATA_HOME")
        dirs += [Path(data_home) / "fonts" if data_home else home / ".local" / "share" / "fonts", home / ".fonts",
                 Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    return dirs


def bundled_font_dir() -> Path | None:
    """resources/fonts of a source checkout, a wheel or a frozen build (paths.resources_dir finds it)."""
    from kaigo_desktop import paths

    try:
        folder = paths.resources_dir() / "fonts"
    except FileNotFoundError:
        return None
    return folder if folder.is_dir() else None


def _index_font_files(dirs: Iterable[Path]) -> dict[str, Path]:
    """Lower-cased file name → first path found, over the folders in order (recursively)."""
    found: dict[str, Path] = {}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                if name.lower().endswith((".ttf", ".ttc", ".otf")):
                    found.setdefault(name.lower(), Path(root) / name)
    return found


def candidate_fonts(user_font: str | Path | None = None, *, bundled_dir: Path | None = None,
                    system_dirs: Sequence[Path] | None = None) -> list[tuple[Path, int, str, str]]:
    """(path, ttc index, label, source) in the order they are tried: the user's font, BIZ UDゴシック of the
    PC (Windows 10/11 have it; the universal-design font reads best), the bundled IPAexゴシック (the same look
    on every other PC), then the other system fonts."""
    candidates: list[tuple[Path, int, str, str]] = []
    if user_font:
        path = Path(user_font).expanduser()
        candidates.append((path, 0, path.stem, "設定"))
    files = _index_font_files(system_font_dirs() if system_dirs is None else system_dirs)
    system = [(files[name.lower()], index, label, "システム") for name, index, label in SYSTEM_FONTS
              if name.lower() in files]
    preferred = [candidate for candidate in system if candidate[2] == PREFERRED_LABEL]
    candidates += preferred
    if bundled_dir is not None and bundled_dir.is_dir():
        # resources/fonts ships IPAexゴシック (ipaexg.ttf), so reports look the same on every PC.
        labels = {file_name.lower(): label for file_name, _, label in SYSTEM_FONTS}
        for path in sorted(bundled_dir.iterdir()):
            if path.suffix.lower() in (".ttf", ".ttc"):
                candidates.append((path, 0, labels.get(path.name.lower(), path.stem), "同梱"))
    return candidates + [candidate for candidate in system if candidate not in preferred]


_registered: dict[tuple[str, int], str] = {}


def _register_ttf(path: Path, index: int) -> str:
    """Register a TrueType font once per process under a name derived from its file; raises when reportlab
    cannot load it (missing, CFF outlines, not a font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    key = (str(path.resolve()), index)
    if key not in _registered:
        stem = re.sub(r"[^A-Za-z0-9]+", "", path.stem) or "Font"
        name = f"KaigoJP-{stem}-{index}-{len(_registered)}"
        font = TTFont(name, str(path), subfontIndex=index)
        # A glyph for 「あ」 proves it is a Japanese font (an arbitrary .ttf from the settings may not be).
        if ord("あ") not in font.face.charToGlyph:
            raise ValueError("日本語の文字が含まれていません")
        pdfmetrics.registerFont(font)
        _registered[key] = name
    return _registered[key]


def _use_cid_fallback() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK


def japanese_font(user_font: str | Path | None = None, *, bundled_dir: Path | None | bool = True,
                  system_dirs: Sequence[Path] | None = None) -> FontChoice:
    """The font the reports draw with, registered with reportlab. `bundled_dir=True` looks in resources/fonts;
    tests pass a folder (or None) and `system_dirs` to control the search."""
    if bundled_dir is True:
        bundled_dir = bundled_font_dir()
    warnings: list[str] = []
    for path, index, label, source in candidate_fonts(user_font, bundled_dir=bundled_dir or None,
                                                       system_dirs=system_dirs):
        try:
            name = _register_ttf(path, index)
        except Exception as error:  # noqa: BLE001 - any unreadable font is skipped, the reason kept
            if source == "設定":
                warnings.append(f"設定のフォント {path} は使えません（{error}）。ほかのフォントを使います。")
            continue
        return FontChoice(name, label, path, True, source, tuple(warnings))
    warnings.append(NOT_EMBEDDED_WARNING)
    return FontChoice(_use_cid_fallback(), CID_FALLBACK, None, False, "内蔵", tuple(warnings))
