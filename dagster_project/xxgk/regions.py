"""Region of a reporting body: province, city, county and the administrative code.

Uses cpca (a maintained administrative-division library, data bundled, works
offline) on the agency name first, then on the place the body of the report
names most often (a zone such as 平潭综合实验区 is no division; its text names
平潭县). Returns (province, city, county, adcode), None where unknown.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:省|自治区|市|自治州|州|地区|盟|县|自治县|旗|区)")
_SKIP = {"全市", "本市", "全县", "本县", "全区", "本区", "各县", "市县", "省市", "全省", "本省", "各区", "辖区", "城区", "片区", "社区", "景区", "园区", "地区"}


@lru_cache(maxsize=4096)
def _lookup(name: str) -> tuple[str | None, str | None, str | None, str | None]:
    try:
        import cpca
    except ImportError:        # the library is a declared dependency; without it regions stay unknown
        return None, None, None, None
    # cpca.transform() wraps this per-address matcher in a pandas DataFrame,
    # which costs ~100x the match itself; cpca is pinned, so its helper is stable.
    row = cpca._get_one_addr(name, False, {})

    def val(col: str) -> str | None:
        v = row.get(col)
        return v if isinstance(v, str) and v else None
    code = row.get("adcode")
    code = str(code) if isinstance(code, str) and code else None
    prov, city, county = val("省"), val("市"), val("区")
    if city in ("县", "市辖区", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        city = None        # cpca's placeholders for a municipality's counties, not a city
    deepest = county or city or prov
    # the division must be named in the query (full or short form), not guessed from a lone 县 or 市
    if not deepest or not any(_short(n) in name for n in (county, city, prov) if n):
        return None, None, None, None
    return prov, city, county, code


def _short(division: str) -> str:
    s = re.sub(r"(?:维吾尔|壮族|回族)?自治区$|特别行政区$|自治州$|自治县$|省$|市$|县$|区$|地区$|盟$|旗$", "", division)
    return s if len(s) >= 2 else division


def locate(agency: str | None, text: str = "") -> tuple[str | None, str | None, str | None, str | None]:
    if agency:
        hit = _lookup(agency)
        if hit[0]:
            return hit
    if agency:
        # a zone or body named after a county or city without its suffix: 平潭综合实验区 → 平潭县
        for n in (3, 2):
            stem = agency[:n]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", stem) or stem[-1] in "省市县区州":
                continue
            for suffix in ("县", "市", "区"):
                hit = _lookup(stem + suffix)
                if hit[0] and stem + suffix in ((hit[2] or ""), (hit[1] or "")):
                    return hit
    counts = Counter(m for m in _PLACE.findall(text[:20000]) if m not in _SKIP and not m.startswith(("全", "本", "各")))
    for place, _ in counts.most_common(5):
        hit = _lookup(place)
        if hit[0] and (hit[2] or hit[1]):
            return hit
    return None, None, None, None
