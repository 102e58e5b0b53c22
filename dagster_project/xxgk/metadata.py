"""Report metadata from normalized text: year, agency, publish date, scope.

report_year is the statistics period (统计期限), not the publication year.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

_YEAR = r"(20[0-3]\d|19[89]\d)"
_PERIOD = re.compile(r"统计(?:期限|周期|时限|区间|时间)[^0-9]{0,6}" + _YEAR + r"\s*年")
# What a title calls the report, and the words of a title or its first part. Looked for as
# substrings (_holds): faster than one regex of the alternatives.
_TITLE_NAMES = ("年度报告", "年报", "年度工作报告", "公开工作报告")
_TITLE_WORDS = (*_TITLE_NAMES, "政府信息公开", "政务公开")
_TITLE_YEAR = re.compile(_YEAR + r"\s*年度?")
_PUBLISHED = re.compile(r"(?:发布日期|发布时间|成文日期|日期)\s*[:：]?\s*(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")
_DATE_LINE = re.compile(r"^[(（]?\s*(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[)）]?$")
# (人民政府 keeps its 政府: XX人民政府政务公开…, XX人民政府信息公开…)
_SUFFIX = re.compile(r"(?:关于)?(?:本?年度)?(?:(?<!人民)政府信息公开|信息公开|政务公开)(?:工作)?"
                     r"(?:年度报告|年报|工作年度报告|工作报告).*$")
_PUBLISHES = re.compile(r"现(?:将|予)?公布([\u4e00-\u9fff]{3,30}?)" + _YEAR + r"\s*年")
_AGENCY_IN_BODY = re.compile(r"([\u4e00-\u9fff]{2,5}[省市县区州盟旗][\u4e00-\u9fff]{2,14}?(?:局|委员会|办公室|办公厅|管委会|人民政府|中心|委))")
_PLACE = re.compile(r"([\u4e00-\u9fff]{2,4}?[市县区州])")
_TAGS = re.compile(r"<[^>]+>")
_BLANKS = re.compile(r"\s+")
_FIELD_WORDS = ("标题", "题目", "名称", "文章标题", "信息名称")
_FIELD_PREFIX = re.compile(r"^(?:" + "|".join(_FIELD_WORDS) + r")\s*[:：|]?\s*")
# Other fields of a crawled page: 栏目: 政府信息公开年报 names the page's column, not the report.
_OTHER_FIELD = re.compile(r"^(?:所属)?(?:栏目|分类|主题分类|信息分类|类别|来源|发布机构|关键词|索引号|文号)\s*[:：|]")
_NAME = re.compile(r"[\u4e00-\u9fff()（）]+")      # a body's name: ideographs, maybe a bracketed part
_ORG_END = re.compile(r"(?:局|委|办|厅|政府|委员会|中心|管委会|办公室|院|所|会|署|站|队|处|部)$")
_AGENCY_CUT = re.compile(r"(?:关于|报送|印发|转发).*$")
# A year in Chinese numerals (二〇一九年, in titles and dates; the zero often typed as ○):
# read as 2019年. Every year of these reports (2008 on) has a zero in it.
_CN_ZEROS = "〇○零"
_CN_YEAR = re.compile(f"(二[{_CN_ZEROS}][一二三四五六七八九{_CN_ZEROS}]{{2}})(?=\\s*年)")
_CN_DIGITS = str.maketrans(_CN_ZEROS + "一二三四五六七八九", "000123456789")
_JURISDICTION_NAME = re.compile(r"(?:[省市县区州盟旗]|实验区|新区|开发区)$")
_ALIASES = (("市政府办公室", "市人民政府办公室"), ("县政府办公室", "县人民政府办公室"), ("区政府办公室", "区人民政府办公室"))


@dataclass
class Meta:
    report_year: int | None = None
    agency: str | None = None
    publish_date: str | None = None
    scope: str = "own_agency"
    title: str | None = None
    province: str | None = None    # from regions.locate (cpca); copy onto Report
    city: str | None = None
    county: str | None = None
    region_code: str | None = None


def _holds(text: str, words: tuple[str, ...]) -> bool:
    return any(map(text.__contains__, words))


def _titles(lines: list[str]) -> list[tuple[int, str, bool, bool]]:
    """Lines that look like the report's title: (line, title, in a list, names a body).

    A title is a short line naming the annual report (a "标题:" field of a crawled
    page counts; a title broken inside its closing words is joined). A crawled page may hold
    other reports' titles too, as a list of links to other years' reports before
    or after the body: a title with a different one on the line before or after
    is in a list."""
    found: list[tuple[int, str]] = []
    joined = -1
    # every one of _TITLE_WORDS holds 报 or 公开: a line with neither is not searched
    words = [("报" in ln or "公开" in ln) and _holds(ln, _TITLE_WORDS) for ln in lines[:26]] + [False]
    for i, ln in enumerate(lines[:25]):
        if i == joined or not (words[i] or words[i + 1]):
            continue   # the tail of the title on the line before, no title's words
        s = ln.strip("|# ")
        if _OTHER_FIELD.match(s):
            continue   # another field
        s = s.strip()
        s = (_FIELD_PREFIX.sub("", s) if s.startswith(_FIELD_WORDS) else s).strip("| ")
        if len(s) > 60:
            continue   # too long for a title, or for the first part of one
        titled = _holds(s, _TITLE_NAMES)
        if len(s) <= 40 and not titled:   # the title's closing words broken over two lines?
            nxt = lines[i + 1].strip("|# ").strip() if i + 1 < len(lines) else ""
            if "报" in s + nxt and (m := _SUFFIX.search(s + nxt)) and m.start() < len(s) < m.end():
                s, joined = s + nxt, i + 1    # (every closing word has 报: a cheap test first)
                titled = _holds(s, _TITLE_NAMES)
        if len(s) <= 60 and titled and ">" not in s and not s.startswith(("本报告", "根据", "本年度报告")):
            if len(_SUFFIX.sub("", s).strip()) < 2 and i > 0:
                continue   # only the tail of a broken title
            found.append((i, s))
    at = dict(found)
    return [(i, s, any(at.get(j, s) != s for j in (i - 1, i + 1)),
             len(_TITLE_YEAR.sub("", _SUFFIX.sub("", s)).strip(" 《》\"“”:")) >= 2) for i, s in found]


def _title_line(titles: list[tuple[int, str, bool, bool]]) -> tuple[int, str] | None:
    """The report's title among _titles: preferred, in order, one not in a list, one that
    names a body, the first. A title in a list counts only if it names a body (a title
    given twice, in two wordings); otherwise it is another report's."""
    ranked = sorted((listed, not named, i, s) for i, s, listed, named in titles if named or not listed)
    return (ranked[0][2], ranked[0][3]) if ranked else None


_SHORT_FORMS = ((re.compile(r"([市县区])政府办$"), r"\1人民政府办公室"), (re.compile(r"([市县区])府办$"), r"\1人民政府办公室"),
                (re.compile(r"([市县区])政府$"), r"\1人民政府"))


@lru_cache(maxsize=1 << 12)
def canonical_agency(name: str) -> str:
    """泸州市政府 → 泸州市人民政府; 启东市政府办 → 启东市人民政府办公室.
    Cached: a body's name recurs in its title and its text, and across its years."""
    name = _BLANKS.sub("", name)
    if name.endswith(("府办", "政府")):
        for short, full in _SHORT_FORMS:
            name = short.sub(full, name)
    if "政府办公室" in name:
        for a, b in _ALIASES:
            name = name.replace(a, b)
    return name


def _main_place(text: str) -> str | None:
    counts = Counter(m for m in _PLACE.findall(text) if m not in ("全市", "本市", "全县", "本县", "全区", "本区", "各县", "市县", "省市"))
    return counts.most_common(1)[0][0] if counts else None


def find_year(text: str, lines: list[str], title: str | None, publish_date: str | None,
              listed: frozenset[int] = frozenset()) -> int | None:
    """From the statistics period, else the title, else the first year written near the
    top (not on a line listed: another report's title), else the year before publication."""
    m = _PERIOD.search(text)
    if m:
        return int(m.group(1))
    if title and (m := _TITLE_YEAR.search(title)):
        return int(m.group(1))
    seen = 0
    for i, ln in enumerate(lines):
        if seen >= 3000:
            break
        seen += len(ln) + 1
        if i not in listed and (m := _TITLE_YEAR.search(ln)):
            return int(m.group(1))
    if publish_date:
        return int(publish_date[:4]) - 1
    return None


def find_agency(text: str, lines: list[str], title: str | None, title_at: int = -1) -> str | None:
    m = _PUBLISHES.search(text[:3000])
    from_title = _from_title(text, title) or _above_title(text, lines, title_at)
    if m:
        name = canonical_agency(m.group(1))
        # "现公布苏平片区管理局…" under the title "平潭综合实验区苏平片区管理局…": the title qualifies it
        if from_title and from_title != name and from_title.endswith(name):
            return from_title
        return name
    if from_title:
        return from_title
    return _from_lines(text, lines)


def _from_title(text: str, title: str | None) -> str | None:
    if title:
        name = _SUFFIX.sub("", _TITLE_YEAR.sub("", title, count=1)).strip(" 《》\"“”")
        name = _TITLE_YEAR.sub("", name)
        name = _AGENCY_CUT.sub("", _BLANKS.sub("", name)).strip(" 《》\"“”:")
        if len(name) >= 2 and _NAME.fullmatch(name):
            return _qualify(canonical_agency(name), text)
    return None


def _above_title(text: str, lines: list[str], title_at: int) -> str | None:
    """A cover names the body on the line above a title that does not: "XX局" over
    "2019年政府信息公开工作年度报告"."""
    s = _BLANKS.sub("", lines[title_at - 1]) if title_at > 0 else ""
    if 2 <= len(s) <= 20 and _NAME.fullmatch(s) and (_ORG_END.search(s) or _JURISDICTION_NAME.search(s)):
        return _qualify(canonical_agency(s), text)
    return None


def _from_lines(text: str, lines: list[str]) -> str | None:
    # A short first line that names the body ("市 国 资 委")
    for ln in lines[:10]:           # below a crawled page's navigation lines, if any
        s = _BLANKS.sub("", ln)
        if 2 <= len(s) <= 15 and re.fullmatch(r"[\u4e00-\u9fff]+", s) and _ORG_END.search(s):
            return _qualify(canonical_agency(s), text)
    counts = Counter(_AGENCY_IN_BODY.findall(text))
    if counts:
        return canonical_agency(counts.most_common(1)[0][0])
    return None


def _qualify(name: str, text: str) -> str:
    """A name without its place ("市国资委") takes the place the body is about."""
    if name[0] in "市县区" and (place := _main_place(text)):
        return place + name[1:] if place.endswith(name[0]) else place + name
    return name


def find_publish_date(text: str, lines: list[str]) -> str | None:
    m = _PUBLISHED.search(text[:3000])
    if not m:
        for ln in lines[:10]:
            if (m := _DATE_LINE.match(ln.strip())):
                break
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}"


def describe(text: str) -> Meta:
    if "<" in text[:5000]:
        text = _TAGS.sub("\n", text)          # metadata reads raw HTML too
    if any(z in text for z in _CN_ZEROS):
        text = _CN_YEAR.sub(lambda m: m.group(1).translate(_CN_DIGITS), text)
    lines = list(filter(str.strip, text.split("\n")))
    titles = _titles(lines)
    title_at, title = _title_line(titles) or (-1, None)
    pub = find_publish_date(text, lines)
    agency = find_agency(text, lines, title, title_at)
    scope = "own_agency"
    if agency and (agency.endswith("人民政府") or _JURISDICTION_NAME.search(agency)) and re.search(r"全(?:市|县|区|省)", text):
        scope = "jurisdiction_summary"
    from .regions import locate
    province, city, county, code = locate(agency, text)
    year = find_year(text, lines, title, pub, frozenset(i for i, _, listed, _ in titles if listed))
    return Meta(report_year=year, agency=agency, publish_date=pub, scope=scope, title=title,
                province=province, city=city, county=county, region_code=code)
