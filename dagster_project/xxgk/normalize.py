"""Text normalization before parsing (CODEBOOK §6.3).

Order matters: NFKC first (full-width digits and brackets become ASCII, so the
pinyin pattern sees plain parentheses), then traditional→simplified, then
mirror artefacts, then a body scraped twice is kept once.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Pinyin a mirror site writes after a character: 報(bào)告 → 报告. Only
# lower-case Latin letters (tone marks allowed) right after a CJK character.
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])\([a-zü\u00e0-\u01dc\u0300-\u036f\u1e3f\u01f9]{1,7}\)")
# Vocabulary a phrase-level converter may have substituted on mirrors (CODEBOOK §6.2).
_MIRROR_FIXES = (("檔案", "文件"), ("规范性档案", "规范性文件"))
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


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


def looks_traditional(text: str) -> bool:
    """Does the text hold a traditional character? A set lookup per character, so that
    the converter (ten times slower) runs only on the documents that need it."""
    return not _traditional_chars().isdisjoint(text)


def drop_repeated_body(lines: list[str]) -> tuple[list[str], bool]:
    """A page scraped twice holds its body twice in a row: keep the first copy.

    Looks for a run of at least 5 identical lines, covering at least a quarter
    of the text, that starts again right where it ends (or later)."""
    sig = [ln.strip() for ln in lines]
    total = sum(len(s) for s in sig) or 1
    first_seen: dict[str, int] = {}
    for j, s in enumerate(sig):
        if len(s) < 8:
            continue
        i = first_seen.setdefault(s, j)
        if i == j:
            continue
        k = 0
        while j + k < len(sig) and i + k < j and sig[i + k] == sig[j + k]:
            k += 1
        run_chars = sum(len(x) for x in sig[j:j + k])
        if k >= 5 and run_chars * 4 >= total:
            return lines[:j] + lines[j + k:], True
    return lines, False


def normalize(text: str) -> Normalized:
    out = Normalized(text="")
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text, out.pinyin_removed = _PINYIN.subn("", text)
    if looks_traditional(text):
        converted = to_simplified(text)
        out.simplified = converted != text
        text = converted
    for a, b in _MIRROR_FIXES:
        text = text.replace(a, b)
    lines = [ln.strip() for ln in _SPACES.sub(" ", text).split("\n")]
    lines, out.duplicate_removed = drop_repeated_body(lines)
    if out.pinyin_removed:
        out.notes.append(f"removed {out.pinyin_removed} pinyin annotations")
    if out.simplified:
        out.notes.append("converted traditional to simplified characters")
    if out.duplicate_removed:
        out.notes.append("page body appeared twice; kept the first copy")
    out.text = "\n".join(lines)
    return out
