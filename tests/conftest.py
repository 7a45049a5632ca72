"""Shared fixtures: the demo corpus ingested once, the shared evaluation data (or a clean skip)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsfold.demo import demo_corpus_path
from newsfold.evaluation import load_jsonl, shared_data_dir

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def run_cli(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess[str]:
    """Run the real ``newsfold`` command in a subprocess and return what it printed."""
    proc = subprocess.run([sys.executable, "-m", "newsfold.cli", *args], capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"newsfold {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def demo_rows() -> list[dict]:
    return load_jsonl(demo_corpus_path())


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the demo corpus (ingested once per test session; treat as read-only)."""
    db = tmp_path_factory.mktemp("demo") / "store"
    run_cli("ingest", str(demo_corpus_path()), "--db", str(db))
    return db


@pytest.fixture(scope="session")
def shared_data() -> Path:
    data = shared_data_dir()
    if data is None:
        pytest.skip("../shared/data is absent (set NEWSFOLD_SHARED_DATA to run the quality tests)")
    return data


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    return SEEDS


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
