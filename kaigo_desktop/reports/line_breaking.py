"""Japanese line breaking for every text of the PDF reports (table cells and paragraphs alike): a break may
fall between any two kanji or kana, but never inside a katakana word (リハビリテーション専門職), a Latin word or
a number, never before 、。）」 (行頭禁則) and never after （「 (行末禁則). reportlab's own wordWrap='CJK' breaks
anywhere (katakana words too) and lets 「 end a line, so paragraphs are broken here as well."""

from __future__ import annotations

import re

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

# Characters that may not begin a line (行頭禁則) or end one (行末禁則).
_NO_LINE_START = frozenset("、。，．・：；？！ー―‐）」』】〕〉》”’ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々)]},.:;?!%％")
_NO_LINE_END = frozenset("（「『【〔〈《“‘([{")
# Runs that stay together: Latin words, numbers with their separators, phone numbers, codes; katakana words
# with their long-vowel marks and small kana (the middle dot ・ separates words, so it is not part of one).
_TOKEN = re.compile(r"[A-Za-z0-9０-９_\-−‐.,:/@#%+&'~～]+|[\u30A1-\u30FA\u30FC\u30FD\u30FE]+|\s+|.", re.S)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width` (points), breaking between any two Japanese characters but
    not inside a Latin word or number, and keeping 禁則 (no 、。） at a line start, no （「 at a line end)."""
    text = str(text)
    if "\n" not in text and stringWidth(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for token in _TOKEN.findall(paragraph):
            token_width = stringWidth(token, font, size)
            if token_width > width and not token.isspace():  # a run longer than a whole line: split it
                for ch in token:
                    w = stringWidth(ch, font, size)
                    if line and line_width + w > width and ch not in _NO_LINE_START:
                        lines.append(line.rstrip())
                        line, line_width = "", 0.0
                    line += ch
                    line_width += w
            elif line_width + token_width <= width or not line:
                line += token
                line_width += token_width
            elif token.isspace():
                lines.append(line)
                line, line_width = "", 0.0
            else:
                # 追い出し: characters move down with the token until the new line does not start with
                # 、。） and the old one does not end with （「.
                carried = token
                while len(line) > 1 and (carried[0] in _NO_LINE_START or line[-1] in _NO_LINE_END):
                    carried, line = line[-1] + carried, line[:-1]
                lines.append(line.rstrip())
                line = carried
                line_width = stringWidth(line, font, size)
        lines.append(line.rstrip())
    return lines or [""]


class JapaneseParagraph(Paragraph):
    """A Paragraph of plain text broken into lines by wrap_text for the width it is given (the lines are
    fixed as <br/> before reportlab lays them out). Built by layout.text(), the one factory of report text."""

    def __init__(self, text: str, style, *, markup: str | None = None):
        self._plain = str(text)
        self._wrapped_for: float | None = None
        super().__init__(markup if markup is not None else _escape(self._plain), style)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._wrapped_for != available_width:
            style = self.style
            width = available_width - style.leftIndent - style.rightIndent - style.firstLineIndent
            lines = wrap_text(self._plain, style.fontName, style.fontSize, width)
            plain, wrapped_for = self._plain, available_width
            Paragraph.__init__(self, "<br/>".join(_escape(line) for line in lines), style)
            self._plain, self._wrapped_for = plain, wrapped_for
        return super().wrap(available_width, available_height)


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
