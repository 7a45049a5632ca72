"""Scoring article pairs: the engine behind ``newsfold similarity`` and the API's compare."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from . import boilerplate
from .embed import Embedder, get_embedder
from .errors import InputError
from .features import ArticleFeatures, extract, pair_vector
from .ingest.tabular import json_lines
from .model import Article
from .normalize import normalize
from .similarity import PAIR_EMBEDDER, SimilarityModel, centred, reasons
from .text import lead, sentences

MAX_SENTENCES = 30
SAME_SENTENCE = 0.8  # embedding cosine above which two sentences are taken to say the same thing


@dataclass(frozen=True)
class PairInput:
    pair_id: str
    a: Article
    b: Article
    origin: str


@dataclass
class Prepared:
    """One side of a pair: article features plus sentence, headline and pair-embedder lead embeddings."""

    article: Article
    feats: ArticleFeatures
    sents: np.ndarray
    title_emb: np.ndarray
    deep: np.ndarray  # title + lead under similarity.PAIR_EMBEDDER, less its language centre if given


def read_pairs(path: str | Path) -> Iterator[PairInput | InputError]:
    """``{"pair_id", "text1", "text2"}`` per line, plus optional ``title1/2, date1/2, lang1/2``."""
    for origin, _, row, error in json_lines(path):
        if error:
            yield InputError(error, origin)
            continue
        if not isinstance(row, dict):
            yield InputError("expected a JSON object", origin)
            continue
        missing = [k for k in ("text1", "text2") if not isinstance(row.get(k), str) or not row[k].strip()]
        if row.get("pair_id") in (None, ""):
            missing.insert(0, "pair_id")
        if missing:
            yield InputError(f"missing or empty field(s): {', '.join(missing)}", origin)
            continue
        a, b = (
            Article(id=f"{row['pair_id']}/{k}", text=row[f"text{k}"], title=str(row.get(f"title{k}") or ""),
                    date=row.get(f"date{k}"), lang=str(row.get(f"lang{k}") or ""), origin=origin)
            for k in ("1", "2")
        )
        yield PairInput(str(row["pair_id"]), a, b, origin)


def prepare(articles: list[Article], embedder: Embedder, lead_words: int,
            centres: dict[str, np.ndarray] | None = None) -> list[Prepared]:
    """Normalise, then embed leads, headlines and sentences in three batched calls, and the leads
    again with similarity.PAIR_EMBEDDER, less their language ``centres`` (similarity.centred) when
    given."""
    normed = []
    for a in articles:
        n = normalize(a)
        if isinstance(n, Article):  # page furniture ("Read More", image credits) is no evidence, nor a reason
            n = n.with_(text=boilerplate.strip(n.text, n.lang) or n.text)
        normed.append(n if isinstance(n, Article) else a.with_(text=a.text or a.title or " ", lang=a.lang or "en",
                                                                date=None))
    lead_texts = [lead(a.text, a.title, lead_words) for a in normed]
    leads = embedder.encode(lead_texts)
    deep = get_embedder(PAIR_EMBEDDER).encode(lead_texts)
    if centres is not None:
        deep = centred(deep, [a.lang for a in normed], centres)
    heads = embedder.encode([a.title or a.text.split("\n", 1)[0][:300] for a in normed])
    sents = [sentences(a.text)[:MAX_SENTENCES] or [a.text] for a in normed]
    flat = embedder.encode([s for ss in sents for s in ss])
    out, i = [], 0
    for a, e, h, ss, d in zip(normed, leads, heads, sents, deep):
        out.append(Prepared(a, extract(a.text, a.title, a.lang, a.date, e), flat[i : i + len(ss)], h, d))
        i += len(ss)
    return out


def sentence_evidence(a: Prepared, b: Prepared) -> tuple[np.ndarray, int]:
    """Alignment of the two texts' sentences and the pair embedder's lead cosine (order of
    similarity.SENTENCE_FEATURES), and the number of sentences of the shorter text that another
    sentence says again."""
    cos = a.sents @ b.sents.T
    best_a, best_b = cos.max(axis=1), cos.max(axis=0)
    da, db = a.sents.mean(axis=0), b.sents.mean(axis=0)
    doc = float(da @ db / max(float(np.linalg.norm(da) * np.linalg.norm(db)), 1e-12))
    shared = min(int((best_a > SAME_SENTENCE).sum()), int((best_b > SAME_SENTENCE).sum()))
    vec = np.array([
        (best_a.mean() + best_b.mean()) / 2,
        ((best_a > SAME_SENTENCE).mean() + (best_b > SAME_SENTENCE).mean()) / 2,
        doc,
        float(a.title_emb @ b.title_emb),
        float(a.feats.lang != b.feats.lang),
        float(cos.max()),
        float(a.deep @ b.deep),
    ])
    return vec, shared


def pair_base_vector(model: SimilarityModel, a: Prepared, b: Prepared) -> tuple[np.ndarray, int]:
    sent_vec, shared = sentence_evidence(a, b)
    return model.base_vector(pair_vector(a.feats, b.feats), sent_vec), shared


def score_pairs(pairs: list[PairInput], embedder: Embedder, model: SimilarityModel,
                lead_words: int = 120) -> list[dict]:
    prepared = prepare([x for p in pairs for x in (p.a, p.b)], embedder, lead_words, model.centres)
    out = []
    for k, p in enumerate(pairs):
        a, b = prepared[2 * k], prepared[2 * k + 1]
        base, shared = pair_base_vector(model, a, b)
        overall = model.overall(base)
        out.append({"pair_id": p.pair_id, "overall": overall, "similarity": round((4.0 - overall) / 3.0, 4),
                    "reasons": reasons(a.feats, b.feats, shared)})
    return out
