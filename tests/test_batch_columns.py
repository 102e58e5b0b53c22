"""What a batch computes at once for its landing tables equals what the report-by-report
functions give: the new-format identities (identities.evaluate_grid against evaluate())
and the cells of record (model.record_flags_of_batch against record_flags)."""
from __future__ import annotations

import shutil
from collections import Counter

import duckdb
import pytest

from conftest import DATA, SEEDS
from xxgk import identities, synth
from xxgk import pipeline as P
from xxgk.extract import extract_paths
from xxgk.model import record_flags

FIELDS = identities.CHECK_FIELDS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds, the real reports and synthetic ones (planted breaks, empty cells)."""
    folder = tmp_path_factory.mktemp("identity_grid")
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(DATA / "real", folder / "real", ignore=shutil.ignore_patterns("*.jsonl"))
    (synth.generate(folder / "synth", 150, seed=11, workers=1)).unlink()
    return folder


@pytest.fixture(scope="module")
def landed(corpus, tmp_path_factory):
    """The corpus through the pipeline's stages into a warehouse's raw tables."""
    store = P.Store(tmp_path_factory.mktemp("warehouse"))
    docs = P.scan_documents(corpus, store)
    P.normalize_new(docs, store, workers=1)
    P.parse_new(store, workers=1)
    with duckdb.connect(str(store.database)) as con:
        P.load_landing(con, docs, store)
        yield con


@pytest.fixture(scope="module")
def reports(corpus):
    return [report for _, report in extract_paths([corpus], workers=1)]


def test_grid_identities_equal_report_by_report_ones(landed, reports):
    landed = landed.execute(f"select {', '.join(FIELDS)} from raw.checks where rule like 'I%'").fetchall()
    expected = []
    for report in reports:
        if report.template in identities.GRID_TEMPLATES:
            expected += [tuple(r[f] for f in FIELDS) for r in identities.evaluate(report)]
    assert len(expected) > 2000
    statuses = Counter(r[7] for r in expected)
    assert statuses["pass"] and statuses["fail"] and statuses["not_assessable"]   # every branch compared
    assert sorted(landed, key=repr) == sorted(expected, key=repr)


def test_cells_of_record_and_figures_equal_report_by_report_ones(landed, reports):
    rows = landed.execute("""select r.doc, c.cell_id, c.is_record_cell from raw.cells c join raw.reports r using (doc_id)
                             order by r.doc, cast(split_part(c.cell_id, ':', 2) as integer)""").fetchall()
    flags = {}
    for doc, _, flag in rows:
        flags.setdefault(doc, []).append(flag)
    counted = dict(landed.execute("select doc, n_figures from raw.reports").fetchall())
    repeated = 0
    for report in reports:
        expected = record_flags(report.cells)
        assert flags.get(report.doc, []) == expected, report.doc
        assert counted[report.doc] == len(report.figures()), report.doc
        repeated += len(report.cells) - len({c[:3] for c in report.cells if c.mapped}) - sum(not c.mapped for c in report.cells)
    assert repeated > 0                       # keys found twice, where the order of record decides
