"""The shipped demo corpus, invented by the project."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_corpus_path() -> Path:
    return Path(str(resources.files(__name__).joinpath("corpus.jsonl")))
