"""Pair evidence -> probability of 'same event' -> SemEval-2022 Task 8 scale, with reasons.

The model is a logistic regression over ``features.PAIR_FEATURES`` (plus two interaction
terms), fitted by ``bench/fit_pair_model.py`` on the shared labelled data and shipped as
JSON in ``resources/pair_model.json``: readable, versioned, no pickles.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .features import PAIR_FEATURES, ArticleFeatures, pair_vector, shared_evidence

MODEL_FILE = "pair_model.json"


def expand(x: np.ndarray) -> np.ndarray:
    """Pair vector(s) -> model inputs: the features plus interactions the fit found useful."""
    x = np.atleast_2d(x)
    emb, term, names = x[:, 0:1], x[:, 1:2], x[:, 3:4]
    return np.hstack([x, emb * term, names * emb])


EXPANDED = (*PAIR_FEATURES, "emb_x_term", "names_x_emb")


@dataclass(frozen=True)
class PairModel:
    version: str
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def load(cls, path: str | None = None) -> PairModel:
        if path:
            with open(path) as fh:
                spec = json.load(fh)
        else:
            spec = json.loads(resources.files("newsfold.resources").joinpath(MODEL_FILE).read_text())
        if tuple(spec["features"]) != EXPANDED:
            raise ValueError(f"pair model {spec.get('version')} was fitted on other features: {spec['features']}")
        return cls(
            version=spec["version"],
            mean=np.array(spec["mean"]),
            scale=np.array(spec["scale"]),
            coef=np.array(spec["coef"]),
            intercept=float(spec["intercept"]),
        )

    def proba_vectors(self, vectors: np.ndarray) -> np.ndarray:
        z = ((expand(vectors) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def proba(self, a: ArticleFeatures, b: ArticleFeatures) -> float:
        return float(self.proba_vectors(pair_vector(a, b))[0])


def to_overall(p: float) -> float:
    """Probability of the same event -> SemEval scale: 1 = same event .. 4 = unrelated."""
    return round(4.0 - 3.0 * float(p), 3)


def reasons(a: ArticleFeatures, b: ArticleFeatures) -> list[str]:
    """The evidence in words: shared names and numbers, timing, how close the wording is."""
    vec = pair_vector(a, b)
    ev = shared_evidence(a, b)
    out: list[str] = []
    names = [str(n).title() for n in ev["names"]][:4]  # type: ignore[index]
    if names:
        out.append("both name " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]))
    else:
        out.append("no named person, place or organisation in common")
    nums = list(ev["numbers"])[:4]  # type: ignore[call-overload]
    if nums:
        out.append("both mention the number(s) " + ", ".join(nums))
    gap = ev["gap_days"]
    if gap is None:
        out.append("publication dates unknown for at least one: time is no evidence")
    elif gap < 1:
        out.append("published the same day")
    else:
        out.append(f"published {gap:.0f} day(s) apart")
    emb, term = vec[0], vec[1]
    wording = "very close" if term > 0.6 else "close" if term > 0.3 else "partly shared" if term > 0.12 else "different"
    out.append(f"wording {wording} (term cosine {term:.2f}); meaning similarity {emb:.2f}")
    return out
