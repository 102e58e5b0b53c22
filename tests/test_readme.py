"""The README's analyst queries and the seeds summary, regenerated from a fresh
run on the seeds, equal what the README shows."""
import duckdb
import pytest

from readme_sections import README, SECTIONS, render, section


@pytest.fixture(scope="module")
def rendered(seeds_run):
    wh, _ = seeds_run
    with duckdb.connect(str(wh / "xxgk_analytics.duckdb"), read_only=True) as con:
        return render(con)


@pytest.mark.parametrize("name", list(SECTIONS))
def test_readme_section_matches_a_fresh_run(name, rendered):
    assert section(README.read_text(encoding="utf-8"), name) == rendered[name], \
        "README out of date: python tests/readme_sections.py <warehouse dir of a seeds run>"


def test_readme_shows_five_analyst_queries(rendered):
    assert rendered["analyst-queries"].count("```sql") == 5
