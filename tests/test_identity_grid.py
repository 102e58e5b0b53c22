"""The new-format identities a batch evaluates at once (identities.evaluate_grid) land in
raw.checks exactly as identities.evaluate() gives them report by report."""
from __future__ import annotations

import shutil
from collections import Counter

import duckdb
import pytest

from conftest import DATA, SEEDS
from xxgk import identities, synth
from xxgk import pipeline as P
from xxgk.extract import extract_paths

FIELDS = ("doc", "identity", "rule", "description", "severity", "lhs", "rhs", "status", "missing")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds, the real reports and synthetic ones (planted breaks, empty cells)."""
    folder = tmp_path_factory.mktemp("identity_grid")
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(DATA / "real", folder / "real", ignore=shutil.ignore_patterns("*.jsonl"))
    (synth.generate(folder / "synth", 150, seed=11, workers=1)).unlink()
    return folder


def _landed_checks(corpus, store: P.Store) -> list[tuple]:
    docs = P.scan_documents(corpus, store)
    P.normalize_new(docs, store, workers=1)
    P.parse_new(store, workers=1)
    with duckdb.connect(str(store.database)) as con:
        P.load_landing(con, docs, store)
        return con.execute(f"select {', '.join(FIELDS)} from raw.checks where rule like 'I%'").fetchall()


def test_grid_identities_equal_report_by_report_ones(corpus, tmp_path):
    landed = _landed_checks(corpus, P.Store(tmp_path / "wh"))
    expected = []
    for _, report in extract_paths([corpus], workers=1):
        if report.template in identities.GRID_TEMPLATES:
            expected += [tuple(r[f] for f in FIELDS) for r in identities.evaluate(report)]
    assert len(expected) > 2000
    statuses = Counter(r[7] for r in expected)
    assert statuses["pass"] and statuses["fail"] and statuses["not_assessable"]   # every branch compared
    assert sorted(landed, key=repr) == sorted(expected, key=repr)

