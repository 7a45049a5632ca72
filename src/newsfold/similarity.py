"""Pair evidence -> 'same event' probability (linking) and SemEval-2022 Task 8 score, with reasons.

Two linear models, both shipped as readable JSON in ``resources/`` (no pickles):
- ``pair_model.json``: P(same event) = sigmoid(content + time). Content: logistic regression
  over the content features of ``features.PAIR_FEATURES`` plus two interactions, capped (``TimeModel``);
  time: a fixed decay with the publication gap, not fitted (see ``TimeModel``). Fitted by
  ``bench/fit_pair_model.py`` on the labelled clusters.
- ``similarity_model.json``: non-negative ridge regression over a monotone basis of the pair
  features, sentence-alignment evidence, the leads' cosine under ``PAIR_EMBEDDER`` (each lead
  less its language's centre, ``centred``) and the probability above, predicting ``4 - overall``.
  Fitted by ``bench/fit_similarity_model.py`` on the SemEval dev pairs (cross-validated figure
  reported); the language centres are fitted with it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .features import PAIR_FEATURES, ArticleFeatures, pair_vector, pair_vectors, shared_evidence

PAIR_MODEL = "pair_model.json"
SIMILARITY_MODEL = "similarity_model.json"


# Time is not content: the pair model's fitted part sees what the texts share, and the gap enters
# through TimeModel, whose shape no labelled set here can teach (ECB+ has no dates; Giveme5W1H keeps
# reports filed months after their event, which taught an earlier fit that time hardly matters).
TIME_FEATURES = ("same_day", "gap_log", "dated")
CONTENT = tuple(f for f in PAIR_FEATURES if f not in TIME_FEATURES)
_CONTENT_COLS = [PAIR_FEATURES.index(f) for f in CONTENT]
_GAP_LOG, _DATED = PAIR_FEATURES.index("gap_log"), PAIR_FEATURES.index("dated")


def dated_gaps(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair vector: (days apart, both dated). The days mean nothing where both_dated is False."""
    vectors = np.atleast_2d(vectors)
    return np.expm1(vectors[:, _GAP_LOG]), vectors[:, _DATED] > 0


def expand(x: np.ndarray) -> np.ndarray:
    """Pair vector(s) -> the content model's inputs: the content features plus interactions the fit found useful."""
    x = np.atleast_2d(x)
    emb, term, names = x[:, 0:1], x[:, 1:2], x[:, 3:4]
    return np.hstack([x[:, _CONTENT_COLS], emb * term, names * emb])


EXPANDED = (*CONTENT, "emb_x_term", "names_x_emb")


@dataclass(frozen=True)
class TimeModel:
    """How the publication gap between two reports moves the log-odds that they tell one event.

    Reports of one event come within days: on real multi-outlet news 99% of same-event pairs are at
    most 3 days apart (median 0), and news desks call a story over when reporting stops for days.
    So the gap costs nothing up to ``grace_days`` and then ``rate_per_day`` of log-odds a day, and
    the content evidence is capped at ``max_content_logit`` (no wording makes two reports a month
    apart one event): beyond ``reach_days`` no pair can reach the linking threshold, which is where
    the linker's window follows from. Where one side is dated and the other is not, the pair pays
    ``one_dated_penalty``: an undated article is compared with every story, and an undated story
    with every later article, so only strong evidence may join them. Two undated articles (a set
    without dates, such as ECB+) are judged on content alone.
    """

    grace_days: float = 3.0
    rate_per_day: float = 0.25
    max_content_logit: float = 6.0
    one_dated_penalty: float = 1.0

    def term(self, gap_days: np.ndarray, both_dated: np.ndarray, one_dated: np.ndarray) -> np.ndarray:
        late = np.maximum(np.where(both_dated, gap_days, 0.0) - self.grace_days, 0.0)
        return np.where(both_dated, -self.rate_per_day * late, np.where(one_dated, -self.one_dated_penalty, 0.0))

    def reach_days(self, threshold: float) -> float:
        """The gap beyond which even the strongest content cannot reach ``threshold``."""
        needed = np.log(threshold / (1.0 - threshold)) if 0.0 < threshold < 1.0 else 0.0
        return self.grace_days + max(self.max_content_logit - needed, 0.0) / self.rate_per_day

# Text-level evidence added for the SemEval score (see pairs.sentence_evidence): sentence alignment,
# and the leads' cosine under a second, stronger encoder that is too slow to embed every article.
SENTENCE_FEATURES = ("sent_best", "sent_shared", "doc_cos", "title_emb_cos", "cross_lingual", "sent_max", "e5_cos")
PAIR_EMBEDDER = "e5-small"  # the encoder behind e5_cos (embed.E5Embedder)
# A multilingual encoder places each language's texts around a centre of their own (Libovicky et
# al. 2020, "On the language neutrality of pre-trained multilingual representations"): two unrelated
# articles in one language share it and score a high cosine, higher in some languages than in others.
# e5_cos is therefore taken after subtracting each side's language centre, the mean unit lead vector
# of that language in the fit data (``language_centres``); other languages take the mean of all.
MIN_CENTRE_ARTICLES = 20
ALL_LANGUAGES = ""  # the key of the centre for languages without one of their own
SIM_BASE = (*PAIR_FEATURES, *SENTENCE_FEATURES, "p_same")
# The score must never fall as the evidence of sameness grows (an exact copy once scored as unrelated
# under free quadratic terms): each feature enters through a monotone piecewise-linear basis, and the
# ridge coefficients are kept non-negative. Evidence of difference enters negated; context flags
# (both dated, two languages) enter with either sign.
AGAINST = {"years_disjoint", "gap_log"}
FLAGS = {"dated", "cross_lingual"}
KNOTS = 3  # per feature, at the training quartiles


def _basis_names() -> tuple[str, ...]:
    out: list[str] = []
    for f in SIM_BASE:
        out += [f, f"-{f}"] if f in FLAGS else [g for k in range(KNOTS) for g in (f"min({f},k{k})", f"max({f}-k{k},0)")]
    return tuple(out)


SIM_EXPANDED = _basis_names()


def sim_expand(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Base vector(s) -> the monotone basis; ``knots``: (KNOTS, len(SIM_BASE)), fitted with the model."""
    x = np.atleast_2d(x)
    cols: list[np.ndarray] = []
    for i, f in enumerate(SIM_BASE):
        v = x[:, i]
        if f in FLAGS:
            cols += [v, -v]
            continue
        sign = -1.0 if f in AGAINST else 1.0
        for t in knots[:, i]:
            cols += [sign * np.minimum(v, t), sign * np.maximum(v - t, 0.0)]
    return np.stack(cols, axis=1)


def sim_knots(base: np.ndarray) -> np.ndarray:
    """The basis knots for training base vectors: each feature's quartiles."""
    return np.quantile(base, [0.25, 0.5, 0.75][:KNOTS], axis=0)


def language_centres(vectors: np.ndarray, langs: list[str]) -> dict[str, np.ndarray]:
    """Mean unit vector per language with at least MIN_CENTRE_ARTICLES texts, and over all texts."""
    units = _unit(vectors)
    by_lang = np.asarray(langs)
    out = {ALL_LANGUAGES: units.mean(axis=0)}
    for lang in sorted(set(langs) - {ALL_LANGUAGES}):
        rows = by_lang == lang
        if rows.sum() >= MIN_CENTRE_ARTICLES:
            out[lang] = units[rows].mean(axis=0)
    return out


def centred(vectors: np.ndarray, langs: list[str], centres: dict[str, np.ndarray]) -> np.ndarray:
    """Unit vectors after subtracting each one's language centre: cosines on one scale across languages."""
    return _unit(_unit(vectors) - np.stack([centres.get(lang, centres[ALL_LANGUAGES]) for lang in langs]))


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float64)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def read_spec(name: str, path: str | None = None) -> dict:
    """A model's JSON: ``path`` if given, else the shipped ``resources/name``."""
    text = open(path).read() if path else resources.files("newsfold.resources").joinpath(name).read_text()
    return json.loads(text)


@dataclass(frozen=True)
class LinearModel:
    """Standardise, then a dot product: the shape both shipped models share."""

    version: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def load(cls, name: str, expected: tuple[str, ...], path: str | None = None) -> LinearModel:
        return cls.from_spec(read_spec(name, path), expected)

    @classmethod
    def from_spec(cls, spec: dict, expected: tuple[str, ...]) -> LinearModel:
        if tuple(spec["features"]) != expected:
            raise ValueError(f"model {spec.get('version')} was fitted on other features: {spec['features']}")
        return cls(spec["version"], tuple(spec["features"]), np.array(spec["mean"]), np.array(spec["scale"]),
                   np.array(spec["coef"]), float(spec["intercept"]))

    def decision(self, inputs: np.ndarray) -> np.ndarray:
        return ((inputs - self.mean) / self.scale) @ self.coef + self.intercept

    @staticmethod
    def spec(version: str, features: tuple[str, ...], scaler, estimator, **extra: object) -> dict:  # type: ignore[no-untyped-def]
        """The JSON form of a fitted scikit-learn scaler + linear estimator."""
        coef = np.ravel(estimator.coef_)
        intercept = float(np.ravel([estimator.intercept_])[0])
        return {"version": version, "features": list(features), "mean": scaler.mean_.tolist(),
                "scale": scaler.scale_.tolist(), "coef": coef.tolist(), "intercept": intercept, **extra}


class PairModel:
    """P(same event) for two articles' features: capped content log-odds plus the time term."""

    def __init__(self, linear: LinearModel, time: TimeModel) -> None:
        self.linear = linear
        self.time = time
        self.version = linear.version

    @classmethod
    def load(cls, path: str | None = None) -> PairModel:
        spec = read_spec(PAIR_MODEL, path)
        if "time" not in spec:
            raise ValueError(f"pair model {spec.get('version')} has no time model: refit it with bench/fit_pair_model.py")
        return cls(LinearModel.from_spec(spec, EXPANDED), TimeModel(**spec["time"]))

    def content_logits(self, vectors: np.ndarray) -> np.ndarray:
        return np.minimum(self.linear.decision(expand(vectors)), self.time.max_content_logit)

    def proba_vectors(self, vectors: np.ndarray, one_dated: np.ndarray | None = None) -> np.ndarray:
        """P(same event) per pair vector; ``one_dated`` marks pairs where exactly one side has a date
        (a pair vector alone cannot tell that from two undated articles)."""
        gaps, both = dated_gaps(vectors)
        one = np.zeros(len(gaps), dtype=bool) if one_dated is None else np.asarray(one_dated, dtype=bool)
        logits = self.content_logits(vectors) + self.time.term(gaps, both, one & ~both)
        return 1.0 / (1.0 + np.exp(-logits))

    def proba_with(self, a: ArticleFeatures, others: list[ArticleFeatures]) -> np.ndarray:
        """P(same event) of ``a`` with each of ``others``."""
        one_dated = np.array([(a.ts is None) != (b.ts is None) for b in others], dtype=bool)
        return self.proba_vectors(pair_vectors(a, others), one_dated)

    def proba(self, a: ArticleFeatures, b: ArticleFeatures) -> float:
        return float(self.proba_with(a, [b])[0])


class SimilarityModel:
    """SemEval-2022 Task 8 ``overall`` (1 = same event .. 4 = unrelated) from pair and sentence evidence."""

    def __init__(self, linear: LinearModel, pair_model: PairModel, knots: list[list[float]],
                 calibration: dict[str, list[float]], centres: dict[str, list[float]]) -> None:
        self.linear = linear
        self.pair_model = pair_model
        self.knots = np.asarray(knots)
        self.centres = {lang: np.asarray(v) for lang, v in centres.items()}  # PAIR_EMBEDDER's language centres
        # Monotone map from the ridge output to closeness (3 - (overall - 1)): ridge pulls clear cases
        # toward the mean; the map, fitted with it, puts them back on the annotators' scale.
        self.calibration = (np.asarray(calibration["raw"]), np.asarray(calibration["closeness"]))
        self.version = f"{linear.version}+{pair_model.version}"

    @classmethod
    def load(cls, path: str | None = None) -> SimilarityModel:
        spec = read_spec(SIMILARITY_MODEL, path)
        return cls(LinearModel.from_spec(spec, SIM_EXPANDED), PairModel.load(), spec["knots"], spec["calibration"],
                   spec["language_centres"])

    def base_vector(self, pair_vec: np.ndarray, sentence_vec: np.ndarray) -> np.ndarray:
        p = self.pair_model.proba_vectors(pair_vec)[0]
        return np.concatenate([pair_vec, sentence_vec, [p]])

    def overall(self, base: np.ndarray) -> float:
        raw = self.linear.decision(sim_expand(base, self.knots))[0]
        closeness = float(np.clip(np.interp(raw, *self.calibration), 0.0, 3.0))
        return round(4.0 - closeness, 3)


def reasons(a: ArticleFeatures, b: ArticleFeatures, shared_sentences: int | None = None) -> list[str]:
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
        out.append("both mention " + ", ".join(nums))
    gap = ev["gap_days"]
    if gap is None:
        out.append("publication date unknown for at least one: time is no evidence")
    elif gap < 1:
        out.append("published the same day")
    else:
        out.append(f"published {gap:.0f} days apart")
    if shared_sentences:
        out.append(f"{shared_sentences} sentence{'s' if shared_sentences > 1 else ''} say the same thing")
    emb, term = vec[0], vec[1]
    wording = "very close" if term > 0.6 else "close" if term > 0.3 else "partly shared" if term > 0.12 else "different"
    out.append(f"wording {wording} (term cosine {term:.2f}); meaning similarity {emb:.2f}")
    return out
