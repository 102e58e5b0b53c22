from pathlib import Path

import unicodedata

from xxgk.normalize import drop_repeated_body, looks_traditional, nfkc, normalize, tab_rows_as_markdown

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_pinyin_after_characters_is_removed_and_text_simplified():
    n = normalize("啟東市政府辦2023年政府信息公開工作年度報(bào)告 來(lái)源")
    assert n.text == "启东市政府办2023年政府信息公开工作年度报告 来源"
    assert n.pinyin_removed == 2 and n.simplified


def test_latin_words_in_parentheses_are_kept():
    assert normalize("网站(www.luzhou.gov.cn)和PPP(ppp)项目").text == "网站(www.luzhou.gov.cn)和PPP(ppp)项目"


def test_full_width_digits_and_punctuation_fold():
    n = normalize("（一）予以公开　１２３件，占４．６％")
    assert n.text == "(一)予以公开 123件,占4.6%"
    assert not n.simplified


def test_fast_nfkc_is_nfkc():
    # full-width only, and the characters the fast path leaves to the full normalization:
    # an ellipsis, a circled digit, a combining accent after a full-width letter, half-width kana
    texts = ["（一）予以公开　１２３件，占４．６％", "共计…件", "①收到申请", "Ａ\u0301Ｂ", "ｶﾞ", "ﬁ ㎏ ⅷ", "", "无"]
    for text in texts + [(SEEDS / f.name).read_text(encoding="utf-8") for f in SEEDS.glob("*.txt")]:
        assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_tab_separated_rows_become_markdown_rows():
    text = "三、本年度办理结果\t(一)予以公开\t258\t12\t\t\t1\t1\t\n\t\t一、总体情况\n联系电话\t12345\n(六)其他处理\t\t"
    assert tab_rows_as_markdown(text).split("\n") == [
        "| 三、本年度办理结果 | (一)予以公开 | 258 | 12 |  |  | 1 | 1 |  |",  # empty cells kept
        "\t\t一、总体情况",                                            # indentation, not cells
        "联系电话\t12345",                                               # one tab: left to the spaces
        "| (六)其他处理 |  |  |"]
    assert normalize(text).text.split("\n")[1:3] == ["一、总体情况", "联系电话 12345"]


def test_traditional_characters_are_detected():
    assert looks_traditional("政府信息公開") and looks_traditional("報告")
    assert not looks_traditional("政府信息公开工作年度报告 (一) 12件")


def test_body_scraped_twice_is_kept_once():
    text = (SEEDS / "001_7cd061f8be914d19.txt").read_text(encoding="utf-8")
    assert text.count("一、概述") == 2
    n = normalize(text)
    assert n.duplicate_removed and n.text.count("一、概述") == 1
    assert n.text.count("全市收到政府信息公开行政复议申请15件") == 1


def test_short_repeats_are_not_a_duplicated_body():
    lines = ["标题", "一、总体情况", "内容甲乙丙丁戊己庚辛", "二、其他", "内容甲乙丙丁戊己庚辛", "结尾"]
    assert drop_repeated_body(lines) == (lines, False)


def test_many_identical_lines_are_not_compared_again_and_again():
    """A text of 14,000 identical table rows after a line longer than all of them: no run can
    cover a quarter of it, so none is compared (each used to be, a quadratic 10 s); the same
    rows as half the text are a body scraped twice."""
    row = "| 0 | 0 | 0 |"
    lines = ["x" * 600_000] + [row] * 14_000
    assert drop_repeated_body(lines) == (lines, False)
    kept, removed = drop_repeated_body(["标题行，足够长的一行"] + [row] * 10)
    assert removed and kept == ["标题行，足够长的一行"] + [row] * 5


def test_traditional_seed_is_converted():
    n = normalize((SEEDS / "002_8296641daa62e8d3.txt").read_text(encoding="utf-8"))
    assert n.simplified and "政府信息公开" in n.text and "報" not in n.text and "(bào)" not in n.text
