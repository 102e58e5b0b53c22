import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def load_labels(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["doc"]: r for r in rows}


@pytest.fixture(scope="session")
def seed_labels() -> dict[str, dict]:
    return load_labels(DATA / "seeds_labels.jsonl")


@pytest.fixture(scope="session")
def seed_reports():
    """Every seed extracted once: doc name -> Report."""
    from xxgk.extract import extract_paths
    return {doc.name: report for doc, report in extract_paths([SEEDS], workers=1)}
