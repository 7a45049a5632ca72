"""Scoring article pairs: the engine behind ``newsfold similarity`` and the API's compare."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .embed import Embedder
from .errors import InputError
from .features import ArticleFeatures, extract
from .model import Article
from .normalize import normalize
from .similarity import PairModel, reasons, to_overall
from .text import lead


@dataclass(frozen=True)
class PairInput:
    pair_id: str
    a: Article
    b: Article
    origin: str


def read_pairs(path: str | Path) -> Iterator[PairInput | InputError]:
    """``{"pair_id", "text1", "text2"}`` per line, plus optional ``title1/2, date1/2, lang1/2``."""
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            origin = f"{path}:{lineno}"
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield InputError(f"invalid JSON: {exc}", origin)
                continue
            if not isinstance(row, dict):
                yield InputError("expected a JSON object", origin)
                continue
            missing = [k for k in ("pair_id", "text1", "text2") if not isinstance(row.get(k), str) or not row[k]]
            if missing and not (isinstance(row.get("pair_id"), (int, str)) and missing == ["pair_id"]):
                yield InputError(f"missing or empty field(s): {', '.join(missing)}", origin)
                continue
            arts = []
            for k in ("1", "2"):
                arts.append(
                    Article(id=f"{row['pair_id']}/{k}", text=row[f"text{k}"], title=str(row.get(f"title{k}") or ""),
                            date=row.get(f"date{k}"), lang=str(row.get(f"lang{k}") or ""), origin=origin)
                )
            yield PairInput(str(row["pair_id"]), arts[0], arts[1], origin)


def featurize(articles: list[Article], embedder: Embedder, lead_words: int) -> list[ArticleFeatures]:
    normed = []
    for a in articles:
        n = normalize(a)
        if not isinstance(n, Article):  # too short to say anything: compare what there is
            n = a.with_(text=a.text or a.title or " ", lang=a.lang or "en", date=None)
        normed.append(n)
    embs = embedder.encode([lead(a.text, a.title, lead_words) for a in normed])
    return [extract(a.text, a.title, a.lang, a.date if not isinstance(a.date, str) else None, e)
            for a, e in zip(normed, embs)]


def score_pairs(pairs: list[PairInput], embedder: Embedder, model: PairModel, lead_words: int = 120) -> list[dict]:
    feats = featurize([x for p in pairs for x in (p.a, p.b)], embedder, lead_words)
    out = []
    for k, p in enumerate(pairs):
        fa, fb = feats[2 * k], feats[2 * k + 1]
        prob = model.proba(fa, fb)
        out.append({"pair_id": p.pair_id, "overall": to_overall(prob), "similarity": round(prob, 4),
                    "reasons": reasons(fa, fb)})
    return out
