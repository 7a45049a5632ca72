"""One settings registry: every setting has a name, a default and a help line.

Precedence: defaults < TOML file (``--config`` or ``$NEWSFOLD_CONFIG``) < environment
(``NEWSFOLD_<NAME>``) < command line (``--set name=value``).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError


@dataclass(frozen=True)
class Settings:
    # Each field's metadata["help"] is its documentation (docs/SETTINGS.md lists them; a test checks).
    embedder: str = "use-m3"
    pair_model: str = ""
    link_threshold: float = 0.5
    window_days: float = 30.0
    dedup_threshold: float = 0.7
    minhash_perm: int = 128
    shingle_words: int = 5
    max_candidates: int = 20
    members_per_story: int = 2
    lead_words: int = 120
    batch_size: int = 64
    max_item_bytes: int = 5_000_000
    api_token: str = ""

    def replace(self, **changes: Any) -> Settings:
        return from_mapping({**self.as_dict(), **changes})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


HELP: dict[str, str] = {
    "embedder": "sentence embedding model for linking: 'use-m3' (offline default; the shipped pair model is "
                "fitted on it), 'e5-small' (offline, much slower), 'st:<sentence-transformers model>', or "
                "'hash-bow' (hashed bag of words: benchmarks and scale tests only)",
    "pair_model": "JSON pair model file (bench/fit_pair_model.py [--embedder NAME]: one per embedder); empty: "
                  "the shipped model, fitted on use-m3",
    "link_threshold": "probability of 'same event' an article needs to join a story (0..1)",
    "window_days": "a story is a candidate only if the article is dated within this many days of it (the "
                   "default covers the pair model's reach: beyond it no evidence can reach link_threshold)",
    "dedup_threshold": "estimated Jaccard of word shingles above which an article is a near copy (0..1)",
    "minhash_perm": "MinHash permutations per article (more: finer copy detection, more storage)",
    "shingle_words": "words per shingle for copy detection",
    "max_candidates": "stories scored per article, nearest by embedding among those in the time window",
    "members_per_story": "articles of a candidate story whose mean same-event probability scores it: nearest in time "
                         "to a dated article, nearest by embedding to an undated one",
    "lead_words": "words of the body embedded together with the title",
    "batch_size": "articles embedded and written per transaction",
    "max_item_bytes": "input items larger than this are rejected as too large",
    "api_token": "token that HTTP ingest requires (empty: HTTP ingest disabled)",
}

_RANGES: dict[str, tuple[float, float]] = {
    "link_threshold": (0.0, 1.0),
    "dedup_threshold": (0.0, 1.0),
    "window_days": (0.0, 36500.0),
    "minhash_perm": (16, 1024),
    "shingle_words": (1, 20),
    "max_candidates": (1, 10_000),
    "members_per_story": (1, 10_000),
    "lead_words": (10, 10_000),
    "batch_size": (1, 100_000),
    "max_item_bytes": (1_000, 1_000_000_000),
}


def _coerce(name: str, value: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    if name not in kinds:
        raise ConfigError(f"unknown setting {name!r}; known: {', '.join(sorted(kinds))}")
    kind = {"str": str, "float": float, "int": int}[str(kinds[name])]
    try:
        out = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}={value!r} is not a valid {kind.__name__}") from None
    if name in _RANGES:
        lo, hi = _RANGES[name]
        if not lo <= out <= hi:
            raise ConfigError(f"setting {name}={out} is out of range [{lo}, {hi}]")
    return out


def from_mapping(values: Mapping[str, Any]) -> Settings:
    return Settings(**{k: _coerce(k, v) for k, v in values.items()})


def load(config_file: str | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    values: dict[str, Any] = {}
    path = config_file or os.environ.get("NEWSFOLD_CONFIG")
    if path:
        try:
            values.update(tomllib.loads(Path(path).read_text()).get("newsfold", {}))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from None
    for f in fields(Settings):
        env = os.environ.get(f"NEWSFOLD_{f.name.upper()}")
        if env is not None:
            values[f.name] = env
    values.update(overrides or {})
    return from_mapping(values)
