"""Exact figures of the new-format seeds and the metadata of all five, against hand-checked labels."""
import pytest

NEW_FORMAT = ["002_8296641daa62e8d3.txt", "004_6d9098e69707ff9c.txt"]


@pytest.mark.parametrize("doc", NEW_FORMAT)
def test_new_format_figures_exact(doc, seed_reports, seed_labels):
    got = seed_reports[doc].figures()
    want = seed_labels[doc]["figures"]
    assert {k: got.get(k) for k in want} == want
    assert set(got) == set(want), f"figures with no label: {sorted(set(got) - set(want))}"


def test_002_counts_and_a_few_cells(seed_reports):
    f = seed_reports["002_8296641daa62e8d3.txt"].figures()
    assert len(f) == 190                      # 25 rows x 7 columns + 15 review cells
    assert f["applications.new_received.total"] == 159
    assert f["applications.other_other.natural_person"] == 53
    assert f["reviews.review.upheld"] == 6


def test_004_empty_cells_are_not_figures(seed_reports):
    r = seed_reports["004_6d9098e69707ff9c.txt"]
    empty = [c for c in r.cells if c.key == "applications.new_received.commercial"]
    assert len(empty) == 1 and empty[0].status == "empty" and empty[0].value is None
    assert "applications.new_received.commercial" not in r.figures()


def test_cells_keep_their_line(seed_reports):
    r = seed_reports["004_6d9098e69707ff9c.txt"]
    cell = next(c for c in r.cells if c.key == "applications.new_received.natural_person")
    assert cell.source == "line 98" and cell.raw == "12"


@pytest.mark.parametrize("field", ["report_year", "template", "agency"])
def test_metadata_all_seeds(field, seed_reports, seed_labels):
    for doc, label in seed_labels.items():
        want = label[field]
        got = getattr(seed_reports[doc], field)
        assert got in want if isinstance(want, list) else got == want, (doc, got, want)
