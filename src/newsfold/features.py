"""What an article is reduced to for comparison, and the evidence two such reductions share."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from . import text as T

# Order matters: it is the order of the pair model's coefficients (similarity.py).
PAIR_FEATURES = (
    "emb_cos",  # multilingual embedding of title + lead
    "term_cos",  # tf-idf cosine over the whole text
    "title_cos",  # tf-idf cosine of the titles (0 when one has none)
    "name_overlap",  # shared capitalised names, idf-weighted, over the smaller side
    "shared_names",  # log(1 + number of shared names)
    "number_overlap",  # Jaccard of numbers mentioned
    "key_names",  # share of each side's most-mentioned names that the other side mentions
    "years_shared",  # both mention a year (1900-2099) and share one
    "years_disjoint",  # both mention years and share none: often two events of the same kind
    "same_day",  # both dated and within 1 day
    "gap_log",  # log(1 + days apart) when both are dated, else 0
    "dated",  # 1 when both carry dates: time is evidence only then
    "stem_cos",  # tf-idf cosine over 4-letter word stems: inflections and compounds still meet
)
STEM = 4


@dataclass
class ArticleFeatures:
    emb: np.ndarray
    terms: dict[str, float]
    title_terms: dict[str, float]
    names: dict[str, float]  # name -> weight
    numbers: set[str]
    date: datetime | None
    lang: str
    key_names: list[str] = field(default_factory=list)  # most-mentioned names, most first
    term_norm: float = field(init=False)
    title_norm: float = field(init=False)
    name_total: float = field(init=False)
    years: set[str] = field(init=False)
    key_words: list[tuple[str, list[str]]] = field(init=False)  # key names with their words, split once
    stems: dict[str, float] = field(init=False)  # term weights summed by STEM-letter prefix
    stem_norm: float = field(init=False)

    def __post_init__(self) -> None:
        self.key_words = [(n, n.split()) for n in self.key_names]
        self.term_norm = math.sqrt(sum(v * v for v in self.terms.values())) or 1.0
        self.title_norm = math.sqrt(sum(v * v for v in self.title_terms.values())) or 1.0
        self.name_total = sum(self.names.values())
        self.years = {n for n in self.numbers if len(n) == 4 and n[:2] in ("19", "20")}
        self.stems = {}
        for term, w in self.terms.items():
            self.stems[term[:STEM]] = self.stems.get(term[:STEM], 0.0) + w
        self.stem_norm = math.sqrt(sum(v * v for v in self.stems.values())) or 1.0

    def mentions(self, name: str, words: list[str]) -> bool:
        """True when ``name`` (split into ``words``) occurs, or every word of it does (names survive translation)."""
        return name in self.names or all(w in self.terms for w in words)


def extract(text: str, title: str, lang: str, date: datetime | None, emb: np.ndarray) -> ArticleFeatures:
    full = f"{title}\n\n{text}" if title else text
    raw_names = T.names(full, lang)
    names = {n: 1.0 + max(T.idf(w, lang) for w in n.split()) / 7.5 for n in raw_names}
    key_names = sorted(raw_names, key=lambda n: (-raw_names[n] * names[n], n))[:KEY_NAMES]
    return ArticleFeatures(
        emb=emb,
        terms=T.term_weights(full, lang),
        title_terms=T.term_weights(title, lang) if title else {},
        names=names,
        numbers=T.numbers(full),
        date=date,
        lang=lang,
        key_names=key_names,
    )


KEY_NAMES = 4


def _key_name_cover(a: ArticleFeatures, b: ArticleFeatures) -> float:
    """Mean over both sides of the share of key names the other side mentions (0.5 if none)."""
    covers = [sum(y.mentions(n, w) for n, w in x.key_words) / len(x.key_words)
              for x, y in ((a, b), (b, a)) if x.key_words]
    return sum(covers) / len(covers) if covers else 0.5


def _cos(a: dict[str, float], b: dict[str, float], na: float, nb: float) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[k] for k, v in a.items() if k in b) / (na * nb)


def pair_vector(a: ArticleFeatures, b: ArticleFeatures) -> np.ndarray:
    shared = [n for n in a.names if n in b.names]
    shared_w = sum(max(a.names[n], b.names[n]) for n in shared)
    smaller = min(a.name_total, b.name_total)
    nums_union = len(a.numbers | b.numbers)
    dated = a.date is not None and b.date is not None
    gap = abs((a.date - b.date).total_seconds()) / 86400.0 if dated else 0.0  # type: ignore[operator]
    return np.array(
        [
            float(a.emb @ b.emb),
            _cos(a.terms, b.terms, a.term_norm, b.term_norm),
            _cos(a.title_terms, b.title_terms, a.title_norm, b.title_norm) if a.title_terms and b.title_terms else 0.0,
            shared_w / smaller if smaller else 0.0,
            math.log1p(len(shared)),
            len(a.numbers & b.numbers) / nums_union if nums_union else 0.0,
            _key_name_cover(a, b),
            1.0 if a.years & b.years else 0.0,
            1.0 if a.years and b.years and not a.years & b.years else 0.0,
            1.0 if dated and gap <= 1.0 else 0.0,
            math.log1p(gap) if dated else 0.0,
            1.0 if dated else 0.0,
            _cos(a.stems, b.stems, a.stem_norm, b.stem_norm),
        ],
        dtype=np.float64,
    )


def shared_evidence(a: ArticleFeatures, b: ArticleFeatures) -> dict[str, object]:
    """The named things behind a pair vector, for reasons a reader understands."""
    key = set(a.key_names) | set(b.key_names)
    shared = sorted((n for n in a.names if n in b.names), key=lambda n: (n not in key, -max(a.names[n], b.names[n])))
    dated = a.date is not None and b.date is not None
    return {
        "names": shared,
        "numbers": sorted(a.numbers & b.numbers),
        "gap_days": abs((a.date - b.date).total_seconds()) / 86400.0 if dated else None,  # type: ignore[operator]
    }
