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
    follow_contact: str = ""
    follow_concurrency: int = 16
    follow_per_host: int = 2
    follow_host_delay: float = 1.0
    follow_timeout: float = 20.0
    follow_max_bytes: int = 10_000_000
    follow_max_redirects: int = 5
    follow_slice: int = 500

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
    "follow_contact": "how site owners reach whoever runs 'newsfold follow' (an e-mail or URL), sent in the User-Agent",
    "follow_concurrency": "requests 'newsfold follow' has in flight at once, all hosts together",
    "follow_per_host": "requests in flight at once to one host",
    "follow_host_delay": "seconds between the starts of two requests to one host (robots.txt's Crawl-delay if longer)",
    "follow_timeout": "seconds one request may take, connecting and reading included",
    "follow_max_bytes": "feeds and pages larger than this (decompressed) are not read",
    "follow_max_redirects": "redirects followed per request",
    "follow_slice": "entries of a round fetched, then ingested, at a time (bounds the memory a round takes)",
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
    "follow_concurrency": (1, 1000),
    "follow_per_host": (1, 100),
    "follow_host_delay": (0.0, 3600.0),
    "follow_timeout": (0.1, 600.0),
    "follow_max_bytes": (1_000, 1_000_000_000),
    "follow_max_redirects": (0, 20),
    "follow_slice": (1, 100_000),
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
