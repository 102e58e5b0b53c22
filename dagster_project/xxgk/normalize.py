"""Text normalization before parsing (CODEBOOK §6.3).

Order matters: NFKC first (full-width digits and brackets become ASCII, so the
pinyin pattern sees plain parentheses), then traditional→simplified, then
mirror artefacts, then a body scraped twice is kept once.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .render import markdown_row

# Pinyin a mirror site writes after a character: 報(bào)告 → 报告. Only
# lower-case Latin letters (tone marks allowed) right after a CJK character. The "(" comes
# first (its lookbehind after it) so the regex engine scans for it, not tries every position.
_PINYIN = re.compile(r"\((?<=[\u3400-\u9fff]\()[a-zü\u00e0-\u01dc\u0300-\u036f\u1e3f\u01f9]{1,7}\)")
# Vocabulary a phrase-level converter may have substituted on mirrors (CODEBOOK §6.2).
_MIRROR_FIXES = (("檔案", "文件"), ("规范性档案", "规范性文件"))
# Runs of blanks to write as one space; a lone space already is one (matching it too made
# this pass twice as slow).
_SPACES = re.compile(r"[\t\u3000\xa0][ \t\u3000\xa0]*| [ \t\u3000\xa0]+")
_BLANK_RUNS = ("\t", "\u3000", "\xa0", "  ")    # what _SPACES can match begins with one of these
# Full-width ASCII and the ideographic space: nearly all that NFKC changes in these reports
# (about 75 per report: ，：（）１２). Replacing them first leaves most texts already in NFKC,
# which unicodedata checks far faster than it normalizes.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF_WIDTH = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}


@dataclass
class Normalized:
    text: str
    simplified: bool = False        # traditional characters were converted
    pinyin_removed: int = 0         # pinyin annotations removed
    duplicate_removed: bool = False # a body scraped twice was cut to one copy
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: the converter's dictionaries take a moment to load
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """The CJK characters the converter changes on their own (about 4,000)."""
    chars = [chr(c) for c in (*range(0x3400, 0xA000), *range(0xF900, 0xFB00))]
    out = to_simplified("\n".join(chars)).split("\n")
    return frozenset(a for a, b in zip(chars, out) if a != b)


@lru_cache(maxsize=1)
def _traditional_pattern() -> re.Pattern:
    return re.compile("[" + "".join(sorted(_traditional_chars())) + "]")


def looks_traditional(text: str) -> bool:
    """Does the text hold a traditional character? One regex scan (ten times faster than
    a set lookup per character), so that the converter runs only on the documents that need it."""
    return _traditional_pattern().search(text) is not None


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), the same result in a fifth of the time: the
    full-width characters are replaced first (an equivalent string has the same NFKC form)
    and the full normalization runs only if something else remains."""
    at = 0
    while m := _FULL_WIDTH.search(text, at):      # a few distinct ones, each replaced in one pass
        ch = m.group()
        text = text.replace(ch, _HALF_WIDTH[ch])  # one character for one: positions stay
        at = m.start() + 1
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def tab_rows_as_markdown(text: str) -> str:
    """Rows of a table copied from a browser (innerText) or exported as tab-separated
    text: a tab between cells, so an empty cell is two tabs in a row. Collapsing the
    tabs to spaces would lose the empty cells and shift the values after them, so a
    line with two tabs or more becomes a markdown row, as render.py writes a table
    ("| a | 3 |  | 5 |"); leading blanks are indentation (or a merged cell the copy
    leaves out), not cells. One line stays one line: provenance by line still holds."""
    if "\t" not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        row = line.lstrip(" \t\u3000\xa0")
        if row.count("\t") >= 2:
            lines[i] = markdown_row(row.split("\t"))
    return "\n".join(lines)


def drop_repeated_body(lines: list[str]) -> tuple[list[str], bool]:
    """A page scraped twice holds its body twice in a row: keep the first copy.
    The lines come stripped (normalize strips them), so they are compared as they are.

    Looks for a run of at least 5 identical lines, covering at least a quarter
    of the text, that starts again right where it ends (or later). A repeated line
    whose run could not reach that size even if every line matched is not compared:
    without this, a text of many identical lines took time quadratic in its length."""
    long = [s for s in lines if len(s) >= 8]
    if len(set(long)) == len(long):              # no line that could start a copy is repeated
        return lines, False
    n = len(lines)
    chars = [0, *itertools.accumulate(map(len, lines))]    # chars[k]: characters of the first k lines
    total = chars[-1] or 1
    first_seen: dict[str, int] = {}
    for j, s in enumerate(lines):
        if len(s) < 8:
            continue
        i = first_seen.setdefault(s, j)
        if i == j:
            continue
        longest = min(j - i, n - j)                  # a run stops at the next copy's start and at the end
        if longest < 5 or (chars[j + longest] - chars[j]) * 4 < total:
            continue
        k = 0
        while k < longest and lines[i + k] == lines[j + k]:
            k += 1
        if k >= 5 and (chars[j + k] - chars[j]) * 4 >= total:
            return lines[:j] + lines[j + k:], True
    return lines, False


def normalize(text: str) -> Normalized:
    out = Normalized(text="")
    text = nfkc(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, out.pinyin_removed = _PINYIN.subn("", text)
    if looks_traditional(text):
        converted = to_simplified(text)
        out.simplified = converted != text
        text = converted
    for a, b in _MIRROR_FIXES:
        text = text.replace(a, b)
    text = tab_rows_as_markdown(text)
    if any(b in text for b in _BLANK_RUNS):         # a text without them is passed without a regex scan
        text = _SPACES.sub(" ", text)
    lines = [ln.strip() for ln in text.split("\n")]
    lines, out.duplicate_removed = drop_repeated_body(lines)
    if out.pinyin_removed:
        out.notes.append(f"removed {out.pinyin_removed} pinyin annotations")
    if out.simplified:
        out.notes.append("converted traditional to simplified characters")
    if out.duplicate_removed:
        out.notes.append("page body appeared twice; kept the first copy")
    out.text = "\n".join(lines)
    return out
