"""Old-format reports (issue 3): appendix tables, prose figures, unmapped categories, checks."""
import json
import re
from pathlib import Path

import pytest

from xxgk import consistency, identities
from xxgk.extract import extract_document
from xxgk.model import PROSE, RECONSTRUCTED, TABLE

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
REAL = Path(__file__).resolve().parent / "data" / "real"
SEED_LABELS = Path(__file__).resolve().parent / "data" / "seeds_labels.jsonl"
REAL_LABELS = REAL / "labels_pre2019.jsonl"


def _labels(path):
    return {r["doc"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def _report(path):
    return extract_document(path)[1]


def _seed(prefix):
    return _report(next(SEEDS.glob(prefix + "_*.txt")))


@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_old_seeds_figures_exact(prefix):
    r = _seed(prefix)
    lab = _labels(SEED_LABELS)[r.doc]
    assert r.template == "pre2019"
    assert r.report_year == lab["report_year"]
    assert r.agency in lab["agency"]
    assert r.figures() == lab["figures"]


@pytest.mark.parametrize("doc", sorted(_labels(REAL_LABELS)))
def test_real_pre2019_figures_exact(doc):
    r = _report(REAL / doc)
    lab = _labels(REAL_LABELS)[doc]
    figs = r.figures()
    assert {k: figs.get(k) for k in lab["figures"]} == lab["figures"]
    assert r.report_year == lab["report_year"] and r.template == "pre2019"
    assert r.agency in lab["agency"]


def test_prose_spans_of_a_long_text_name_their_lines():
    """Each prose figure names its line and characters; the line breaks are found once per text
    (counting them again for every figure made a long prose text quadratic)."""
    from xxgk.prose import _span_sources
    text = "第一行\n" + "共收到申请3件。\n" * 20_000
    source = _span_sources(text, lambda line: f"line {line}")
    assert source(0, 3) == "line 1 chars 0-3"
    at = text.rindex("3件")
    assert source(at, at + 2) == "line 20001 chars 5-7"
    assert source(len(text) - 1, len(text)) == "line 20001 chars 8-9"


def test_seed_000_prose_figures_with_spans():
    r = _seed("000")
    figs = r.figures()
    assert figs["applications.received"] == 28
    assert figs["applications.received_online"] == 26
    assert figs["applications.answered_not_this_agency"] == 15
    assert figs["reviews.review_upheld"] == 1          # 维持了…答复, one case
    assert figs["reviews.litigation_total"] == 0       # 未受理…行政诉讼
    cell = next(c for c in r.cells if c.key == "applications.received")
    assert cell.method == PROSE and "chars" in cell.source and "28件" in cell.raw


def _wrapped(text: str, width: int) -> str:
    """Text as a PDF's text layer gives it: every line cut at the page width (a number is
    not cut), so a label can break anywhere."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            cut = width
            while line[cut].isdigit() and line[cut - 1].isdigit():
                cut -= 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("prefix", ["000", "001"])
@pytest.mark.parametrize("width", [23, 35])
def test_prose_broken_into_page_lines_reads_the_same(tmp_path, prefix, width):
    seed = next(SEEDS.glob(prefix + "_*.txt"))
    page = tmp_path / seed.name
    page.write_text(_wrapped(seed.read_text(encoding="utf-8"), width), encoding="utf-8")
    r = _report(page)
    assert r.figures() == _labels(SEED_LABELS)[seed.name]["figures"]
    received = next(c for c in r.cells if c.key == "applications.received")
    line = int(received.source.split()[1])        # the source names the page's own line
    assert received.raw.replace(" ", "").split("件")[0][-2:] in page.read_text(encoding="utf-8").split("\n")[line - 1]


def test_appendix_without_a_unit_column(tmp_path):
    """Some forms leave out 单位 (指标 | 数量): a row is then a table row ending in its value."""
    seed = next(SEEDS.glob("003_*.txt"))
    units = {"单位", "条", "件", "个", "次", "人次", "万元", "元"}
    lines = []
    for line in seed.read_text(encoding="utf-8").split("\n"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        lines.append("| " + " | ".join(c for c in cells if c not in units) + " |" if line.count("|") >= 2 else line)
    page = tmp_path / seed.name
    page.write_text("\n".join(lines), encoding="utf-8")
    assert "| 指 标 | 数量 |" in page.read_text(encoding="utf-8")
    assert _report(page).figures() == _labels(SEED_LABELS)[seed.name]["figures"]
    from xxgk.parse_old import find_appendix
    assert find_appendix("各项考核指标数量均有提升") is None      # prose, not a table's header


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_prose_counts_in_chinese_numerals(tmp_path, prefix):
    """Small counts are often written in words: 两件, 十二件 (a count of 件 or 宗 only)."""
    words = "零一两三四五六七八九十"
    seed = next(SEEDS.glob(prefix + "_*.txt"))
    text = re.sub(r"(?<![\d.|])(\d{1,2})(件|宗)",
                  lambda m: (words[int(m.group(1))] if int(m.group(1)) <= 10 else m.group(1)) + m.group(2),
                  seed.read_text(encoding="utf-8"))
    page = tmp_path / seed.name
    page.write_text(text, encoding="utf-8")
    assert "两件" in text or "一件" in text
    assert _report(page).figures() == _labels(SEED_LABELS)[seed.name]["figures"]


def test_seed_001_unmapped_categories_kept():
    r = _seed("001")
    un = {c.row: c for c in r.cells if not c.mapped}
    assert un["其余情况"].value == 93 and "parent=answered" in un["其余情况"].note
    combined = next(c for c in un.values() if c.value == 17)
    assert "国家秘密" in combined.row and "parent=answered_denied" in combined.note
    assert "covers=denied_state_secret" in combined.note
    figs = r.figures()
    assert "applications.denied_state_secret" not in figs      # not forced into a key
    assert not any("其余" in k for k in figs)


def test_seed_001_fails_reasons_check():
    checks = {c["identity"]: c for c in identities.evaluate(_seed("001"))}
    assert checks["O.I4"]["status"] == "fail"
    assert checks["O.I4"]["lhs"] == 38 and checks["O.I4"]["rhs"] == 17 + 4 + 12
    assert checks["O.I5"]["status"] == "pass" and checks["O.I6"]["status"] == "pass"


def test_seed_001_scraped_twice_counted_once():
    r = _seed("001")
    assert sum(1 for c in r.cells if c.key == "applications.received") == 1


def test_seed_003_text_vs_table_fails_and_table_wins():
    r = _seed("003")
    assert r.figures()["applications.received"] == 0
    methods = {(c.method, c.value) for c in r.cells if c.key == "applications.received"}
    assert (TABLE, 0) in methods and (PROSE, 1) in methods
    rows = consistency.text_vs_table(r)
    fail = [x for x in rows if x["status"] == "fail"]
    assert [x["identity"] for x in fail] == ["text_vs_table.applications.received"]
    assert fail[0]["lhs"] == 1 and fail[0]["rhs"] == 0 and fail[0]["severity"] == "soft"
    assert fail[0]["rule"] == "text_vs_table" and fail[0]["missing"] == ""


def test_seed_003_national_appendix_all_rows():
    r = _seed("003")
    figs = r.figures()
    assert figs["applications.denied_security"] == 0
    assert figs["reviews.litigation_other"] == 0
    unmapped = {c.row: c.value for c in r.cells if not c.mapped and c.method == TABLE}
    assert unmapped["接受培训人员数"] == 80                # rows outside the keys are kept
    assert unmapped["政府信息公开专项经费不包括用于政府公报编辑管理及政府网站建设维护等方面的经费"] == 8


def test_real_10_prose_and_table_disagree_on_reviews():
    r = _report(REAL / "10_pingtan_zone_2013.txt")
    assert r.figures()["reviews.review_total"] == 0
    fail = [x for x in consistency.text_vs_table(r) if x["status"] == "fail"]
    assert [(x["identity"], x["lhs"], x["rhs"]) for x in fail] == [("text_vs_table.reviews.review_total", 1, 0)]


def test_real_09_channels_disagree():
    r = _report(REAL / "09_pingtan_county_2013.txt")
    fail = {x["identity"] for x in consistency.text_vs_table(r) if x["status"] == "fail"}
    assert "text_vs_table.applications.received_letter" in fail


def test_real_26_glued_year_column_and_combined_channel():
    r = _report(REAL / "26_pingtan_hgj_2017.txt")
    t = {c.row: c for c in r.cells if c.method == TABLE}
    assert t["received"].value == 14 and "1423" in t["received"].note    # 14 | 23, not 1 | 423
    combined = t["信函传真申请数"]
    assert not combined.mapped and combined.value == 11 and "covers=received_letter,received_fax" in combined.note
    assert t["其他类型答复数"].value == 8 and not t["其他类型答复数"].mapped
    assert "applications.received_letter" not in r.figures()
    checks = {c["identity"]: c["status"] for c in identities.evaluate(r)}
    assert checks["O.I1"] == "pass"                    # 1 + 2 + 11 = 14 with the combined row


def test_real_11_combined_zero_states_each_part():
    r = _report(REAL / "11_pingtan_zone_2017.txt")
    figs = r.figures()
    assert figs["applications.received_letter"] == 0 and figs["applications.received_fax"] == 0
    assert any(c.method == RECONSTRUCTED and c.row == "received_fax" for c in r.cells)


def test_real_08_email_channel_not_forced_into_online():
    r = _report(REAL / "08_pingtan_county_2012.txt")
    figs = r.figures()
    assert "applications.received_online" not in figs
    assert figs["applications.received_in_person"] == 18
    assert {c.row for c in r.cells if not c.mapped} >= {"电子邮件申请数", "行政申诉数"}
