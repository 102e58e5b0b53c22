"""Report metadata for every layout: year = statistics period, agency qualified by place, region, scope."""
from pathlib import Path

import pytest

from xxgk import metadata
from xxgk.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
REAL = Path(__file__).resolve().parent / "data" / "real"


def _meta(path: Path):
    return metadata.describe(normalize(path.read_text(encoding="utf-8")).text)


def _seed(prefix):
    return _meta(next(SEEDS.glob(prefix + "_*.txt")))


@pytest.mark.parametrize("prefix,year,agency", [
    ("000", 2017, "南昌市人民政府办公厅"),
    ("001", 2017, "泸州市人民政府"),          # title says 泸州市政府
    ("002", 2023, "启东市人民政府办公室"),
    ("003", 2016, "衡阳市国资委"),            # title "市 国 资 委", body about 衡阳市
    ("004", 2019, "赣州市住房和城乡建设局"),  # no title: named in the body
])
def test_seed_year_and_agency(prefix, year, agency):
    m = _seed(prefix)
    assert (m.report_year, m.agency) == (year, agency)


# A crawled page's furniture around the report: navigation, and links to other years'
# reports (a list of titles) before the body.
_NAVIGATION = "首页 > 政务公开 > 政府信息公开年报\n当前位置:首页>>信息公开>>年度报告\n字号:大 中 小\n"
_OTHER_REPORTS = "相关链接\n2016年政府信息公开工作年度报告\n2015年政府信息公开工作年度报告\n热点推荐\n"


@pytest.mark.parametrize("path", [*(SEEDS.glob("*.txt")), REAL / "19_pingtan_jtj_2022.txt",
                                  REAL / "05_shanghai_bgt_2025.md", REAL / "28_pingtan_county_czj_2009.txt"],
                         ids=lambda p: p.name[:24])
def test_page_furniture_before_the_report_changes_nothing(path):
    text = path.read_text(encoding="utf-8")
    plain = metadata.describe(normalize(text).text)
    crawled = metadata.describe(normalize(_NAVIGATION + _OTHER_REPORTS + text).text)
    assert (crawled.report_year, crawled.agency, crawled.scope) == (plain.report_year, plain.agency, plain.scope)


def test_a_list_of_titles_is_not_the_title():
    lines = ["相关链接", "2016年政府信息公开工作年度报告", "2015年政府信息公开工作年度报告",
             "平潭县2019年政府信息公开工作年度报告", "一、总体情况"]
    assert metadata._title_line(metadata._titles(lines)) == (3, "平潭县2019年政府信息公开工作年度报告")
    # a title given twice in two wordings is still the title
    twice = ["2017年泸州市政府政府信息公开工作年度报告", "泸州市2017年政府信息公开工作年度报告", "一、总体情况"]
    assert metadata._title_line(metadata._titles(twice)) == (0, twice[0])


@pytest.mark.parametrize("title,agency", [
    ("平潭综合实验区交通与建设局2022年度政府信息公开工作报告", "平潭综合实验区交通与建设局"),   # 工作报告, no 年度报告
    ("平潭县人民政府2022年政务公开工作年度报告", "平潭县人民政府"),     # 人民政府 keeps its 政府
    ("平潭县人民政府信息公开工作年度报告", "平潭县人民政府"),
    ("平潭县财政局\n2022年政府信息公开工作年度报告", "平潭县财政局"),    # a cover: the body above the title
    ("平潭县财政局二〇二二年政府信息公开工作年度报告", "平潭县财政局"),   # the year in Chinese numerals,
    ("平潭县财政局二○二二年政府信息公开工作年度报告", "平潭县财政局"),   # its zero typed as ○
    ("平潭综合实验区自然资源与生态环境局2022年度政府信\n息公开工作年度报告",  # broken at the page width
     "平潭综合实验区自然资源与生态环境局"),
])
def test_title_wordings(title, agency):
    # a crawled page's fields: 栏目 names the page's column, not the report
    page = f"{title}\n发布时间: 2023-01-09\n栏目: 政府信息公开年报\n一、总体情况\n2022年,本机关……"
    m = metadata.describe(normalize(page).text)
    assert (m.agency, m.report_year) == (agency, 2022)


def test_year_is_statistics_period_not_publication():
    m = _seed("003")
    assert m.publish_date == "2017-03-03" and m.report_year == 2016


def test_scope():
    assert _seed("001").scope == "jurisdiction_summary"     # 全市
    assert _seed("003").scope == "own_agency"
    assert _seed("000").scope == "own_agency"


def test_region_from_cpca():
    m = _seed("003")
    assert (m.province, m.city, m.region_code) == ("湖南省", "衡阳市", "430400")
    m = _seed("002")
    assert (m.province, m.city, m.county, m.region_code) == ("江苏省", "南通市", "启东市", "320681")


@pytest.mark.parametrize("doc,agency", [
    ("08_pingtan_county_2012.txt", "平潭县人民政府"),          # "标题: 平潭县人民政府2012年…"
    ("26_pingtan_hgj_2017.txt", "平潭综合实验区环境与国土资源局"),
    ("28_pingtan_county_czj_2009.txt", "平潭县财政局"),         # body cites another bureau's guide
    ("24_pingtan_suping_2020.txt", "平潭综合实验区苏平片区管理局"),  # 关于报送…的函; 现公布苏平片区管理局…
    ("11_pingtan_zone_2017.txt", "平潭综合实验区"),
])
def test_real_agency_from_crawled_title(doc, agency):
    assert _meta(REAL / doc).agency == agency


def test_zone_region_from_place_stem():
    m = _meta(REAL / "26_pingtan_hgj_2017.txt")
    assert (m.province, m.county, m.region_code) == ("福建省", "平潭县", "350128")


def test_title_broken_before_nianbao():
    m = _meta(REAL / "05_shanghai_bgt_2025.md")
    assert m.agency == "上海市人民政府办公厅" and m.report_year == 2025


def test_canonical_agency():
    assert metadata.canonical_agency("泸州市政府") == "泸州市人民政府"
    assert metadata.canonical_agency("启东市政府办") == "启东市人民政府办公室"


def test_template_from_section_two_where_table_three_does_not_tell():
    # A fragment of a 2024 report: table 三 breaks off at （四）, before the rows that tell
    # 2021 from 2019, and no year is written. Its 第二十条 tables have the 2021 columns.
    from xxgk.extract import extract_document
    _, r = extract_document(REAL / "07_unknown_city_2024_table3_fragment.txt")
    assert r.report_year is None and len([c for c in r.cells if c.table == "applications"]) == 91
    assert r.template == "2021"


def test_section_two_headers_come_after_table_three_and_before_the_year():
    from xxgk.extract import _template_by_section_two, extract_document, parse_text
    from xxgk.model import Report
    assert _template_by_section_two("第 二 十 条 第(一)项\n信息内容 本 年 制 发 件 数 本年废止件数") == "2021"
    assert _template_by_section_two("第二十条第(五)项\n信息内容 上一年项目数量 本年增/减 处理决定数量") == "2019"
    assert _template_by_section_two("第二十条\n本年新制作数量 … 本年处理决定数量") is None   # both: no answer
    assert _template_by_section_two("本年制发件数, but no 第二十条 table") is None
    # 22_pingtan_shs_2021: a 2021 table 三 under 2019 第二十条 headings: table 三 decides
    _, r = extract_document(REAL / "22_pingtan_shs_2021.txt")
    assert r.template == "2021"
    # a 2022 report on the 2019 form whose table 三 lost its rows: its headers, not its year
    text = ("XX局2022年政府信息公开工作年度报告\n本报告所列数据的统计期限为2022年1月1日至2022年12月31日。\n"
            "第二十条第(一)项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n")
    r = parse_text(Report(doc="x.txt"), text)
    assert (r.report_year, r.template) == (2022, "2019")
