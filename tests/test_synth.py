"""The synthetic corpus parses back to its truth; its planted identity breaks are caught."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from xxgk import synth
from xxgk.extract import extract_paths
from xxgk.identities import FAIL, evaluate

N = 240


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    labels = synth.generate(folder, N, seed=7, workers=1)
    truth = synth.load_jsonl(labels)
    reports = {doc.name: rep for doc, rep in extract_paths([folder], workers=1)}
    return folder, truth, reports


def test_every_layout_and_variant_is_generated(corpus):
    _, truth, _ = corpus
    layouts = Counter(t["layout"] for t in truth.values())
    assert set(synth.NEW_LAYOUTS + synth.OLD_LAYOUTS) <= set(layouts)
    variants = Counter(v for t in truth.values() for v in t["variants"])
    assert set(variants) == set(synth.VARIANT_SHARES)
    assert {t["template"] for t in truth.values()} == {"2019", "2021", "pre2019"}
    assert any(t["breaks"] for t in truth.values())
    assert any(n.endswith(".xlsx") for n in truth) and any(n.endswith(".xls") for n in truth)


def test_same_seed_same_corpus(tmp_path):
    a, b = synth.make_report(12, seed=3), synth.make_report(12, seed=3)
    assert a.files == b.files and a.truth == b.truth


def test_clean_layouts_parse_back_exactly(corpus):
    _, truth, reports = corpus
    wrong = []
    for doc, t in truth.items():
        r = reports[doc]
        got = {"report_year": r.report_year, "agency": r.agency, "template": r.template, "figures": r.figures()}
        want = {k: t[k] for k in got}
        if t["layout"] in synth.CLEAN_LAYOUTS + ("text naming an attachment",) and got != want:
            wrong.append((doc, t["layout"], t["variants"],
                          {k: (v, got["figures"].get(k)) for k, v in t["figures"].items() if got["figures"].get(k) != v}))
    assert not wrong, wrong[:3]


def test_accuracy_over_all_layouts(corpus):
    _, truth, reports = corpus
    s = synth.score(truth, {d: r.to_figures_json() for d, r in reports.items()})
    assert s["recall"] >= 0.97 and s["precision"] >= 0.999
    assert s["year"] == s["template"] == s["agency"] == 1.0


def test_planted_breaks_are_detected_and_clean_tables_balance(corpus):
    _, truth, reports = corpus
    for doc, t in truth.items():
        if t["template"] == "pre2019" or not t["figures"]:
            continue
        failed = [r["identity"] for r in evaluate(reports[doc]) if r["status"] == FAIL]
        if t["breaks"]:
            assert failed, (doc, t["breaks"])
        else:
            assert not failed, (doc, failed)


def test_score_counts_like_the_shared_scorer():
    labels = {"a": {"doc": "a", "report_year": 2020, "agency": "x", "template": "2019",
                    "figures": {"k1": 1, "k2": 2, "k3": 0}}}
    preds = {"a": {"doc": "a", "report_year": 2020, "agency": "y", "template": "2019",
                   "figures": {"k1": 1, "k2": 3, "k9": 5}}}
    s = synth.score(labels, preds)
    assert (s["labelled"], s["predicted"], s["correct"], s["extra"]) == (3, 2, 1, 1)
    assert s["recall"] == round(1 / 3, 4) and s["precision"] == 0.5 and s["agency"] == 0.0 and s["exact"] == 0
