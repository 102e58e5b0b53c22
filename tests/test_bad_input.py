"""Bad input gets a clear, recorded reason; the run goes on and counts it."""
import re
from pathlib import Path

import duckdb
import pytest

from conftest import SEEDS
from xxgk import pipeline as P
from xxgk.extract import extract_document, parse_failure
from xxgk.summary import summarize

SEED_2019 = SEEDS / "004_6d9098e69707ff9c.txt"


@pytest.fixture()
def corpus(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (d / "gbk_report.txt").write_bytes(SEED_2019.read_text(encoding="utf-8").encode("gbk"))
    data = (SEEDS / "002_8296641daa62e8d3.txt").read_bytes()
    cut = data.index("一、本年新收".encode()) + 1          # inside a three-byte character
    (d / "truncated.txt").write_bytes(data[:cut])
    (d / "not_a_report.txt").write_text("今日天气晴，气温二十度。\n欢迎访问本站，联系我们。\n", encoding="utf-8")
    (d / "notes.pdf").write_bytes(b"%PDF-1.4\n%broken\n")
    return d


def test_each_bad_file_gets_a_reason(corpus):
    docs = {r["name"]: r for r in P.scan_documents(corpus).to_dict("records")}
    assert docs["empty.txt"]["status"] == "rejected" and docs["empty.txt"]["reason"] == "empty file"
    assert docs["binary.txt"]["status"] == "rejected" and "binary" in docs["binary.txt"]["reason"]
    assert docs["gbk_report.txt"]["status"] == "ok" and docs["gbk_report.txt"]["encoding"] == "gb18030"
    assert docs["truncated.txt"]["status"] == "ok" and docs["truncated.txt"]["encoding"] == "utf-8 (truncated)"

    _, not_report = extract_document(corpus / "not_a_report.txt")
    assert not not_report.is_report and "not an annual report" in " ".join(not_report.notes)


def test_gbk_report_parses_like_the_utf8_original(corpus):
    _, gbk = extract_document(corpus / "gbk_report.txt")
    _, utf8 = extract_document(SEED_2019)
    assert gbk.figures() == utf8.figures() and len(gbk.figures()) == 28


def test_truncated_report_keeps_what_it_has(corpus):
    _, r = extract_document(corpus / "truncated.txt")
    assert r.report_year == 2023 and r.agency == "启东市人民政府办公室"
    assert not r.figures() and "no figures parsed" in r.notes


def test_pipeline_records_every_file_and_goes_on(corpus, tmp_path):
    store = P.Store(tmp_path / "wh")
    docs = P.scan_documents(corpus)
    P.normalize_new(docs, store, workers=1)
    P.parse_new(store, workers=1)
    with duckdb.connect(str(store.database)) as con:
        counts = P.load_landing(con, docs, store)
        assert counts["documents"] == 6
        rejected = dict(con.execute("""select name, reason from raw.documents where status <> 'ok'
                                       union all select name, reason from raw.normalized where status <> 'ok'""").fetchall())
        assert set(rejected) == {"empty.txt", "binary.txt", "notes.pdf"}
        assert "pdf could not be read" in rejected["notes.pdf"]
        text = summarize(con)
    assert "files seen:            6" in text and "files rejected:        3" in text
    assert "not_a_report.txt: not an annual report" in text


def test_a_parser_error_is_recorded_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    """A layout the parsers do not expect may make one of them raise: that report keeps the
    cells read before the error and says where it stopped; every other report is parsed as
    usual, by `xxgk extract` and by the pipeline, which counts and lists such reports."""
    import shutil

    from xxgk import cli, metadata
    describe = metadata.describe

    def failing_describe(text):
        if "插入的异常行" in text:
            raise IndexError("list index out of range")
        return describe(text)

    monkeypatch.setattr(metadata, "describe", failing_describe)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_2019, corpus / "good.txt")
    (corpus / "bad.txt").write_text(SEED_2019.read_text(encoding="utf-8") + "\n插入的异常行\n", encoding="utf-8")

    _, good = extract_document(corpus / "good.txt")
    _, bad = extract_document(corpus / "bad.txt")
    assert parse_failure(good) is None
    why = parse_failure(bad)
    assert re.fullmatch(r"parse failed: IndexError: list index out of range \(at extract\.py:\d+\); "
                        r"\d+ cells read before it kept", why)
    assert bad.figures() == good.figures() and len(bad.figures()) == 28   # table 三/四 were read before metadata
    assert bad.report_year is None and good.report_year == 2019

    out = tmp_path / "figures.jsonl"
    assert cli.main(["extract", str(corpus), "-o", str(out), "--workers", "1"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    err = capsys.readouterr().err
    assert "bad.txt: parse failed: IndexError" in err and "2 reports extracted (1 of them with a parse error" in err

    store = P.Store(tmp_path / "wh")
    docs = P.scan_documents(corpus)
    P.normalize_new(docs, store, workers=1)
    assert P.parse_new(store, workers=1)["parse_failed"] == 1
    with duckdb.connect(str(store.database)) as con:
        P.load_landing(con, docs, store)
        text = summarize(con)
    assert "parse errors:          1" in text and "  - bad.txt: parse failed: IndexError" in text


def test_versions_follow_the_code(tmp_path):
    """A change to a parsing module changes the parser version, so stored parts are parsed
    again; a change to the normalizing code changes both versions (the parse reads its text)."""
    import shutil

    from xxgk import extract
    pkg = tmp_path / "xxgk"
    shutil.copytree(Path(extract.__file__).parent, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    both = extract.NORMALIZING_MODULES + extract.PARSING_MODULES

    def versions():
        return extract.source_version(extract.NORMALIZING_MODULES, pkg), extract.source_version(both, pkg)

    assert versions() == (extract.NORMALIZER_VERSION, extract.PARSER_VERSION)
    with open(pkg / "glued.py", "a", encoding="utf-8") as f:
        f.write("\n# a change\n")
    normalizer, parser = versions()
    assert normalizer == extract.NORMALIZER_VERSION and parser != extract.PARSER_VERSION
    with open(pkg / "normalize.py", "a", encoding="utf-8") as f:
        f.write("\n# a change\n")
    assert versions()[0] != normalizer and versions()[1] != parser
