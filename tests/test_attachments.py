"""A page names its attachment: found beside it or recorded missing; where both give
a table, each figure is compared and a disagreement fails, both values kept."""
import duckdb

from conftest import SEEDS
from test_html_sheets import figures_for, grid_for, write_html, write_xlsx
from xxgk import pipeline as P
from xxgk.summary import summarize


def _load(corpus, tmp_path):
    store = P.Store(tmp_path / "wh")
    docs = P.scan_documents(corpus)
    P.normalize_new(docs, store, workers=1)
    P.parse_new(store, workers=1)
    con = duckdb.connect(str(store.database))
    P.load_landing(con, docs, store)
    return con


def test_page_and_attachment_disagreeing_fail_a_check(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    figs = figures_for("2021")
    page = write_html(*grid_for("2021", figs)).replace("</body>", "<p>附件：2023年统计表.xlsx</p></body>")
    (corpus / "report.html").write_text(page, encoding="utf-8")
    changed = dict(figs, **{"reviews.review.upheld": figs["reviews.review.upheld"] + 1})
    (corpus / "2023年统计表.xlsx").write_bytes(write_xlsx(*grid_for("2021", changed)))
    con = _load(corpus, tmp_path)
    att = con.execute("select name, status from raw.attachments").fetchall()
    assert att == [("2023年统计表.xlsx", "found")]
    rows = con.execute("""select identity, lhs, rhs, status from raw.checks
                          where rule = 'page_vs_attachment' and status = 'fail'""").fetchall()
    assert rows == [("page_vs_attachment.reviews.review.upheld", figs["reviews.review.upheld"],
                     figs["reviews.review.upheld"] + 1, "fail")]
    compared = con.execute("select count(*) from raw.checks where rule = 'page_vs_attachment'").fetchall()[0][0]
    assert compared == len(figs)
    # both documents keep their own figures
    assert con.execute("select count(*) from raw.reports where n_figures = ?", [len(figs)]).fetchall()[0][0] == 2


def test_named_attachment_absent_is_recorded_missing(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "000.txt").write_bytes((SEEDS / "000_297ac7d497395631.txt").read_bytes())
    con = _load(corpus, tmp_path)
    assert con.execute("select name, status from raw.attachments").fetchall() == [("2017年信息公开统计表.xls", "missing")]
    assert "attachments missing:   1" in summarize(con)


def test_an_attachment_saved_under_a_longer_name_is_found_and_a_name_is_not_a_pattern(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # the seed names 2017年信息公开统计表.xls; the corpus saved it with a prefix
    (corpus / "000.txt").write_bytes((SEEDS / "000_297ac7d497395631.txt").read_bytes())
    (corpus / "0427_2017年信息公开统计表.xls").write_bytes(b"not really a workbook")
    # "_" in a named file is a character, not a wildcard: 统计A表.xls is not 统计_表.xls
    (corpus / "page.txt").write_text("某局2023年政府信息公开工作年度报告\n附件：统计_表.xls\n", encoding="utf-8")
    (corpus / "统计A表.xls").write_bytes(b"not really a workbook")
    con = _load(corpus, tmp_path)
    rows = con.execute("select doc, name, status, path from raw.attachments order by doc").fetchall()
    assert [(d, n, s) for d, n, s, _ in rows] == [("000.txt", "2017年信息公开统计表.xls", "found"),
                                                ("page.txt", "统计_表.xls", "missing")]
    assert rows[0][3].endswith("0427_2017年信息公开统计表.xls")
