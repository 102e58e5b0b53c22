"""Figures stated in sentences (CODEBOOK §6.1), for the old-format keys.

Only the sections about applications (依申请公开…) and about reviews and
lawsuits (行政复议、行政诉讼…) are read in full; the overview (概述, 总体情况)
is read for the totals only (共受理申请N件, 行政复议N件), and the other
sections (主动公开, 收费, 问题, 附表) not at all: their counts are about other
things (作为依申请公开信息数46条 counts documents, not applications).

A count is a number with a unit (件, 条, 宗, 起, 份); its label is the text
before it, back to the previous count or clause break. Explicit nils
(未收到…申请, 未发生…行政复议和行政诉讼, 无不予公开) are 0; 均获维持 (or a lone
case that was 维持) means upheld = total. A category that matches no key is
kept with mapped=False under its own label when its sentence also states a
template figure (其余情况93件). Every cell's source gives its line and the
character span of the words it was read from.
"""
from __future__ import annotations

import bisect
import re

from . import templates as T
from .model import NUMBER, NIL, PROSE, Cell, line_source
from .parse_old import classify, combined_zero, squash, unmapped_note

# Each scanning regex starts with what it consumes, its lookbehind after that character, so
# that a position failing its first character costs nothing more (twice as fast a scan).
_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(f"([{_NUMERALS}](?<![^\\s。;:!?)）\\]】>|][{_NUMERALS}])[{_NUMERALS}]{{0,2}})\\s*[、.．]\\s*")
_HEADING_END = re.compile(r"[\n。,;(（]")
# A count: digits and a unit, or a small count in Chinese numerals (两件, 十二件) with 件 or 宗
# only (一起 is "together", 一份 "a copy"; 每一件, 第一件 are no counts).
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN = "".join(_CN_DIGIT) + "十"
_COUNT = re.compile(r"(\d(?<![\d.]\d)\d*)\s*(件|条|宗|起|份)(?!次)"
                    f"|([{_CN}](?<![{_CN}每第逐同统单][{_CN}])[{_CN}]{{0,2}})(件|宗)(?!次|事)")
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")     # 1,234 → 1234
_CLAUSE_BREAK = re.compile(r"[,;:!?。\n]")
_SENTENCE = re.compile(r"[^。;\n]+[。;\n]?")
_CLAUSE_SPLIT = re.compile(r"[,;。:]")


def _count_value(m: re.Match) -> float | None:
    """The number a _COUNT match states; None for Chinese numerals that are not a number."""
    if m.group(1) is not None:
        return float(m.group(1))
    s = m.group(3)
    if "十" not in s:
        return float(_CN_DIGIT[s]) if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return float((_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0))


_VERB_END = re.compile(r"(收到|受理|接到|发生|共|有|办理)$")
_LABEL_TRIM = re.compile(r"(?:的件数为|的件数|件数为|的|为|共计|共|计|达|数量)$")
_LABEL_LEAD = re.compile(r"^(?:其中|另|另有|此外)")

OVERVIEW_KEYS = {"received", "review_total", "litigation_total"}

_NEG = r"(?:未|没有|无|尚无|均无)"
_NEG_REVIEW = re.compile(_NEG + r"[^,;。]{0,30}?复议")
_NEG_LIT = re.compile(_NEG + r"[^,;。]{0,30}?诉讼")
_NEG_RECEIVED = re.compile(_NEG + r"(?:收到|受理|接到|发生|接收)?[^,;。]{0,16}?(?:公开|依申请)[^,;。]{0,8}?申请"
                           r"|" + _NEG + r"(?:收到|受理|接到|发生|接收)[^,;。]{0,6}?申请")
_NEG_DENIED = re.compile(_NEG + r"不予公开|不予公开[^,;。]{0,6}?(?:为零|为0件?|无)")
_NEG_ANSWERED = re.compile(r"(?:不存在|没有|无)[^,;。]{0,12}?答复")
_ALL_UPHELD = re.compile(r"(?:均|全部|都)(?:获|被|予以|已)?维持")
_UPHELD = re.compile(r"维持")


def sections(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) for each numbered section: applications, reviews, overview, other."""
    marks = []
    expected = None
    for m in _HEADING.finditer(text):
        head_end = _HEADING_END.search(text, m.end())
        stop = min(head_end.start() if head_end else len(text), m.end() + 25)
        head = text[m.end():stop]
        if not re.match(r"[\u4e00-\u9fff]", head):
            continue
        marks.append((m.start(), head))
        expected = m.group(1)
    del expected
    if not marks:
        return [("unknown", 0, len(text))]
    out = [("overview", 0, marks[0][0])]
    for i, (pos, head) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        if re.search(r"复议|诉讼", head):
            kind = "reviews"
        elif "申请" in head:
            kind = "applications"
        elif re.search(r"概述|总体情况|概况|基本情况", head):
            kind = "overview"
        else:
            kind = "other"
        out.append((kind, pos, end))
    return out


def _span_sources(text: str, source_of):
    """source(a, b): "line N chars x-y" for a span of the text. The line breaks are found once and
    searched (counting the breaks before every figure again made a long prose text quadratic)."""
    breaks: list[int] | None = None

    def source(a: int, b: int) -> str:
        nonlocal breaks
        if breaks is None:
            breaks = [m.start() for m in _LINE_BREAK.finditer(text)]
        k = bisect.bisect_left(breaks, a)                # the line breaks before a
        line_start = breaks[k - 1] + 1 if k else 0
        return f"{source_of(k + 1)} chars {a - line_start}-{b - line_start}"
    return source


_LINE_BREAK = re.compile("\n")


def _clean_label(label: str) -> str:
    s = squash(label)
    s = _LABEL_LEAD.sub("", s)
    for _ in range(2):
        s = _LABEL_TRIM.sub("", s)
    return s


# A line that a PDF's text layer broke inside a sentence: it ends without closing
# punctuation and the next line goes on (not a heading, not a table row).
_CLOSED = tuple("。;:!?)）】」")
_IN_SENTENCE = re.compile(r"[。,;:]")     # a heading has none: a line with one is a paragraph
_HEADING_START = re.compile(f"\\s*(?:[{_NUMERALS}]{{1,3}}\\s*[、.．]|[(（]\\s*[{_NUMERALS}\\d]{{1,3}}\\s*[)）]"
                            "|\\d{1,2}\\s*[、．](?!\\d))")


def unwrap(text: str) -> str:
    """The text with each line break inside a sentence made a space, so a label broken
    at the end of a line still reads; one character for one, so offsets and the lines
    counted in the original still hold."""
    lines = text.split("\n")
    out = []
    for ln, nxt in zip(lines, lines[1:]):
        s = ln.strip()
        wrapped = (len(s) >= 10 and not s.endswith(_CLOSED) and "|" not in ln and "|" not in nxt and nxt.strip()
                   and not _HEADING_START.match(nxt) and not (_HEADING_START.match(s) and not _IN_SENTENCE.search(s)))
        out.append(ln + (" " if wrapped else "\n"))
    out.append(lines[-1])
    return "".join(out)


def parse_prose(text: str, source_of=line_source) -> list[Cell]:
    text = _THOUSANDS.sub("", text)
    flow = unwrap(text)
    cells: list[Cell] = []
    source = _span_sources(text, source_of)
    for kind, s0, s1 in sections(flow):
        if kind == "other":
            continue
        cells.extend(_parse_section(flow, s0, s1, kind, source))
    out: list[Cell] = []
    seen = set()
    for c in cells:
        sig = (c.table, c.row, c.value, c.mapped)
        if sig in seen:
            continue
        seen.add(sig)
        out.append(c)
    out.extend(combined_zero(out, PROSE))
    return out


_NEGATION = re.compile(r"[未没无不]")


def _nils(clause: str) -> list[tuple[str, str]]:
    """(table, key) of each figure a clause without a count states as nil: 未收到…申请,
    未发生…行政复议和行政诉讼, 无不予公开, 不存在…答复."""
    if not _NEGATION.search(clause):      # every nil wording has one of these: most clauses stop here
        return []
    nils = []
    if _NEG_REVIEW.search(clause):
        nils.append(("reviews", "review_total"))
    if _NEG_LIT.search(clause):
        nils.append(("reviews", "litigation_total"))
    if not nils and "复议" not in clause and "诉讼" not in clause:
        if _NEG_RECEIVED.search(clause):
            nils.append(("applications", "received"))
        elif _NEG_DENIED.search(clause):
            nils.append(("applications", "answered_denied"))
        elif _NEG_ANSWERED.search(clause):
            nils.append(("applications", "answered"))
    return nils


def _parse_section(text: str, s0: int, s1: int, kind: str, source_at) -> list[Cell]:
    """Cells of one section; source_at(a, b) names where text[a:b] is on the page."""
    allowed = OVERVIEW_KEYS if kind == "overview" else None
    out: list[Cell] = []
    group: str | None = None
    totals: dict[str, float] = {}
    for sm in _SENTENCE.finditer(text, s0, s1):
        a0, a1 = sm.start(), min(sm.end(), s1)
        sent = text[a0:a1]
        mapped_here: list[Cell] = []
        unmapped_here: list[Cell] = []
        prev_end = 0
        prev_key: str | None = None
        counts = list(_COUNT.finditer(sent))
        for m in counts:
            lo = prev_end
            brk = [x.end() for x in _CLAUSE_BREAK.finditer(sent, lo, m.start())]
            if brk:
                lo = brk[-1]
            label = sent[lo:m.start()]
            span_a, span_b = lo, m.end()
            cls = classify(label, group)
            if cls.key is None and not cls.covers and _VERB_END.search(squash(label)):
                nb = _CLAUSE_BREAK.search(sent, m.end())
                nxt = _COUNT.search(sent, m.end())
                stop = min(nb.start() if nb else len(sent), nxt.start() if nxt else len(sent))
                after = sent[m.end():stop]
                c2 = classify(after, group)
                if c2.key:
                    cls, label, span_b = c2, after, stop
            prev_end = m.end()
            value = _count_value(m)
            if value is None:
                continue
            span = (a0 + span_a, a0 + span_b)     # its source is made only for a cell kept
            raw = sent[span_a:span_b].strip()
            if cls.key:
                if allowed is not None and cls.key not in allowed:
                    continue
                if cls.key == "review_total":
                    group = "review"
                elif cls.key == "litigation_total":
                    group = "litigation"
                if cls.key in ("review_total", "litigation_total"):
                    totals[group] = value
                cell = Cell(cls.table, cls.key, "", value, NUMBER, raw, source_at(*span), PROSE, True)
                mapped_here.append(cell)
                prev_key = cls.key
            elif allowed is None:
                parent = cls.parent
                if not parent and prev_key:
                    parent = T.OLD_PARENT.get(prev_key, "")   # a sibling of the category before it
                name = _clean_label(label) or squash(label)
                table = "reviews" if kind == "reviews" or cls.table == "reviews" else "applications"
                unmapped_here.append(Cell(table, name, "", value, NUMBER, raw, source_at(*span), PROSE, False,
                                          unmapped_note(parent, cls.covers, "prose category outside the template")))
        out.extend(mapped_here)
        if mapped_here:
            out.extend(unmapped_here)
        # explicit nils and "all upheld", clause by clause
        pos = 0
        for clause in _CLAUSE_SPLIT.split(sent):
            c_a = sent.find(clause, pos)
            pos = c_a + len(clause)
            counted = _COUNT.search(clause) is not None
            if counted or not clause.strip():
                if counted and "行政复议" in clause and "行政诉讼" not in clause:
                    group = "review"
                elif counted and "行政诉讼" in clause:
                    group = "litigation"
                continue
            span = (a0 + c_a, a0 + c_a + len(clause))
            nils = _nils(clause)
            for table, key in nils:
                if allowed is not None and key not in allowed:
                    continue
                out.append(Cell(table, key, "", 0.0, NIL, clause.strip(), source_at(*span), PROSE, True,
                                "explicit nil in prose"))
            if nils or allowed is not None or group is None or group not in totals:
                continue
            sub = f"{group}_upheld"
            if "维持" not in clause or any(c.row == sub for c in out):
                continue
            if _ALL_UPHELD.search(clause) or (_UPHELD.search(clause) and totals[group] == 1
                                               and not re.search(r"未|没有|不", clause.split("维持")[0][-3:])):
                out.append(Cell("reviews", sub, "", totals[group], NUMBER, clause.strip(), source_at(*span), PROSE, True,
                                "维持 with no count: all of the total upheld"))
    return out
