"""xxgk fuzz: damaged documents through extract_document, in forked children."""
import time
from pathlib import Path

from conftest import DATA, SEEDS
from xxgk import fuzz
from xxgk.synth import generate


def test_a_short_fuzzing_run_finds_nothing(tmp_path):
    """Damaged seeds, real reports, synthetic pages and attachments, and the files earlier fuzzing
    found: no exception, no hang, no crash."""
    generate(tmp_path / "synth", 60, seed=3, workers=1)
    res = fuzz.run([SEEDS, DATA / "real", DATA / "fuzz", tmp_path / "synth"], runs=400, seed=0, timeout=30,
                   progress=None)
    assert res["failures"] == []
    assert sum(res["tried"].values()) == 400
    assert set(fuzz.TEXT_KINDS) <= set(res["tried"]) and {"spans", "truncate_bytes"} <= set(res["tried"])


def test_fuzzing_reports_an_exception_and_a_hang(tmp_path, monkeypatch):
    from xxgk import extract
    describe = extract.describe

    def failing_describe(path):
        data = Path(path).read_bytes()
        if b"BOOM" in data:
            raise RuntimeError("boom")
        if b"SLOW" in data:
            time.sleep(60)
        return describe(path)

    monkeypatch.setattr(extract, "describe", failing_describe)   # the forked children inherit it
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "boom.txt").write_text("BOOM\n" * 200, encoding="utf-8")
    (corpus / "slow.txt").write_text("SLOW\n" * 200, encoding="utf-8")
    res = fuzz.run([corpus], runs=8, seed=1, timeout=1, out=tmp_path / "found", progress=None)
    found = {f["failure"] for f in res["failures"]}
    assert found == {"RuntimeError: boom", "took more than 1 s"}
    assert len(list((tmp_path / "found").iterdir())) == len(res["failures"])
