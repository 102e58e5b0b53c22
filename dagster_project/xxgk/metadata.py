"""Report metadata from normalized text: year, agency, publish date, scope.

report_year is the statistics period (统计期限), not the publication year.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_YEAR = r"(20[0-3]\d|19[89]\d)"
_PERIOD = re.compile(r"统计期限[^0-9]{0,6}" + _YEAR + r"\s*年")
_TITLE = re.compile(r"(?:年度报告|年报|年度工作报告)")
_TITLE_YEAR = re.compile(_YEAR + r"\s*年度?")
_PUBLISHED = re.compile(r"(?:发布日期|发布时间|成文日期|日期)\s*[:：]?\s*(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")
_DATE_LINE = re.compile(r"^[(（]?\s*(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[)）]?$")
_SUFFIX = re.compile(r"(?:关于)?(?:本?年度)?(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:年度报告|年报|工作年度报告|工作报告).*$")
_PUBLISHES = re.compile(r"现(?:将|予)?公布([\u4e00-\u9fff]{3,30}?)" + _YEAR + r"\s*年")
_AGENCY_IN_BODY = re.compile(r"([\u4e00-\u9fff]{2,5}[省市县区州盟旗][\u4e00-\u9fff]{2,14}?(?:局|委员会|办公室|办公厅|管委会|人民政府|中心|委))")
_PLACE = re.compile(r"([\u4e00-\u9fff]{2,4}?[市县区州])")
_ALIASES = (("市政府办公室", "市人民政府办公室"), ("县政府办公室", "县人民政府办公室"), ("区政府办公室", "区人民政府办公室"))


@dataclass
class Meta:
    report_year: int | None = None
    agency: str | None = None
    publish_date: str | None = None
    scope: str = "own_agency"
    title: str | None = None


def _title_line(lines: list[str]) -> str | None:
    for ln in lines[:25]:
        s = ln.strip("|# ").strip()
        if _TITLE.search(s) and len(s) <= 60 and ">" not in s and not s.startswith(("本报告", "根据")):
            return s
    return None


def canonical_agency(name: str) -> str:
    """泸州市政府 → 泸州市人民政府; 启东市政府办 → 启东市人民政府办公室."""
    name = re.sub(r"\s+", "", name)
    name = re.sub(r"([市县区])政府办$", r"\1人民政府办公室", name)
    name = re.sub(r"([市县区])府办$", r"\1人民政府办公室", name)
    name = re.sub(r"([市县区])政府$", r"\1人民政府", name)
    for a, b in _ALIASES:
        name = name.replace(a, b)
    return name


def _main_place(text: str) -> str | None:
    counts = Counter(m for m in _PLACE.findall(text) if m not in ("全市", "本市", "全县", "本县", "全区", "本区", "各县", "市县", "省市"))
    return counts.most_common(1)[0][0] if counts else None


def find_year(text: str, title: str | None, publish_date: str | None) -> int | None:
    m = _PERIOD.search(text)
    if m:
        return int(m.group(1))
    if title and (m := _TITLE_YEAR.search(title)):
        return int(m.group(1))
    m = re.search(_YEAR + r"\s*年度?", text[:3000])
    if m:
        return int(m.group(1))
    if publish_date:
        return int(publish_date[:4]) - 1
    return None


def find_agency(text: str, lines: list[str], title: str | None) -> str | None:
    m = _PUBLISHES.search(text[:3000])
    if m:
        return canonical_agency(m.group(1))
    if title:
        name = _SUFFIX.sub("", _TITLE_YEAR.sub("", title, count=1)).strip(" 《》\"“”")
        name = _TITLE_YEAR.sub("", name)
        if len(name) >= 2:
            return _qualify(canonical_agency(name), text)
    # A short first line that names the body ("市 国 资 委")
    for ln in lines[:3]:
        s = re.sub(r"\s+", "", ln)
        if 2 <= len(s) <= 15 and re.fullmatch(r"[\u4e00-\u9fff]+", s):
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
    lines = [ln for ln in text.split("\n") if ln.strip()]
    title = _title_line(lines)
    pub = find_publish_date(text, lines)
    agency = find_agency(text, lines, title)
    scope = "own_agency"
    if agency and agency.endswith("人民政府") and re.search(r"全(?:市|县|区|省)", text):
        scope = "jurisdiction_summary"
    return Meta(report_year=find_year(text, title, pub), agency=agency, publish_date=pub, scope=scope, title=title)
