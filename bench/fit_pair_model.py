"""Fit the 'same event' pair model shipped in src/newsfold/resources/pair_model.json.

Data: ../shared/data Giveme5W1H and ECB+ (labelled event clusters). Pairs: every pair of
articles, weighted. Two reports of one event weigh 1, and so do the hard negatives, two
different events of one ECB+ topic; every other pair weighs OTHER_WEIGHT, and each dataset
weighs the same in total. Weighting every pair, rather than sampling the other ones, makes the
fit deterministic: with the seeded 15% sample of earlier fits, the seed alone moved the
clustering figures of docs/QUALITY.md. Before writing, it reports pair AUC on held-out events
(events split in folds by a fixed hash), so a model that only memorises shows up here.

Only the content part is fitted, on the pairs where time is no evidence against (undated, or at most
``TimeModel.grace_days`` apart): the time term is fixed (similarity.TimeModel), since no set here can
teach its shape. ``--train-on`` fits on some sets only, for the leave-one-set-out check
(bench/leave_one_out.py).

    python bench/fit_pair_model.py [--out PATH] [--embedder NAME] [--train-on SET ...]
"""
from __future__ import annotations

import argparse
import json
import sys
import zlib
from datetime import date

import numpy as np

from newsfold.embed import DEFAULT_MODEL, get_embedder
from newsfold.evaluation import load_jsonl, require_shared_data
from newsfold.features import extract, pair_vectors
from newsfold.model import Article
from newsfold.normalize import normalize
from dataclasses import asdict

from newsfold.similarity import EXPANDED, LinearModel, TimeModel, dated_gaps, expand
from newsfold.text import lead

DATASETS = ("giveme5w1h_events", "ecbplus_events")


def dataset_features(name: str, lead_words: int = 120, embedder: str = DEFAULT_MODEL) -> tuple[list[str], list, list[str]]:
    rows = load_jsonl(require_shared_data() / f"{name}.jsonl")
    arts = []
    for r in rows:
        a = normalize(Article(id=r["id"], text=r["text"], title=r.get("title") or "", date=r.get("date"),
                              source=r.get("source") or "", url=r.get("url") or "", lang=r.get("lang") or ""))
        assert isinstance(a, Article), r["id"]
        arts.append(a)
    embs = get_embedder(embedder).encode([lead(a.text, a.title, lead_words) for a in arts])
    feats = [extract(a.text, a.title, a.lang, a.date, e) for a, e in zip(arts, embs)]
    return [r["cluster"] for r in rows], feats, [str(r.get("topic", "")) for r in rows]


OTHER_WEIGHT = 0.15  # the sampling rate of earlier fits: this fit is their expectation


def weighted_pairs(labels: list[str], feats: list, topics: list[str]):
    """Every pair i < j, in np.triu_indices order: its vector, label and weight, and its two rows."""
    first, second = np.triu_indices(len(labels), k=1)
    X = np.vstack([pair_vectors(feats[i], feats[i + 1 :]) for i in range(len(labels) - 1)])
    events, kinds = np.array(labels), np.array(topics)
    same = events[first] == events[second]
    topic = (kinds[first] != "") & (kinds[first] == kinds[second])
    return X, same.astype(int), np.where(same | topic, 1.0, OTHER_WEIGHT), first, second


def content_rows(X: np.ndarray, time: TimeModel) -> np.ndarray:
    """The pairs the content model learns from: time says nothing against them (undated or within grace)."""
    gaps, dated = dated_gaps(X)
    return ~dated | (gaps <= time.grace_days)


def balanced(weights: list[np.ndarray]) -> np.ndarray:
    """Pair weights of several datasets, rescaled so each dataset weighs the same in total."""
    total = sum(w.sum() for w in weights)
    return np.concatenate([w * total / (len(weights) * w.sum()) for w in weights])


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    Z = expand(X)
    scaler = StandardScaler().fit(Z)
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(scaler.transform(Z), y, sample_weight=w)
    return scaler, lr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="src/newsfold/resources/pair_model.json")
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--embedder", default=DEFAULT_MODEL,
                    help="the embedder the model is for (the `embedder` setting it must be used with)")
    ap.add_argument("--exclude-events", default="", help="file of event labels to leave out of training (hold-out)")
    ap.add_argument("--train-on", nargs="+", choices=DATASETS, default=list(DATASETS),
                    help="fit on these sets only (leave-one-set-out: bench/leave_one_out.py)")
    args = ap.parse_args()
    time = TimeModel()
    require_shared_data()
    from sklearn.metrics import roc_auc_score

    excluded = set(open(args.exclude_events).read().split()) if args.exclude_events else set()
    parts = {}
    for name in DATASETS:
        labels, feats, topics = dataset_features(name, embedder=args.embedder)
        keep = [i for i, label in enumerate(labels) if label not in excluded]
        labels, feats, topics = [labels[i] for i in keep], [feats[i] for i in keep], [topics[i] for i in keep]
        X, y, w, first, second = weighted_pairs(labels, feats, topics)
        keep = content_rows(X, time)
        X, y, w, first, second = X[keep], y[keep], w[keep], first[keep], second[keep]
        fold = np.array([zlib.crc32(label.encode()) % args.folds for label in labels])  # by event
        parts[name] = (X, y, w, fold[first], fold[second])
        print(f"{name}: {len(y)} pairs, {int(y.sum())} same-event, {int((w == 1).sum() - y.sum())} hard negatives",
              file=sys.stderr)

    # Held-out check: events in fold k are never seen in training for fold k.
    for name, (X, y, w, fold_a, fold_b) in parts.items():
        scores = np.zeros(len(y))
        for k in range(args.folds):
            test = (fold_a == k) | (fold_b == k)
            train = ~test
            others = [p for n, p in parts.items() if n != name]
            scaler, lr = fit(np.vstack([X[train]] + [p[0] for p in others]), np.concatenate([y[train]] + [p[1] for p in others]),
                             balanced([w[train]] + [p[2] for p in others]))
            scores[test] = lr.predict_proba(scaler.transform(expand(X[test])))[:, 1]
        print(f"{name}: held-out-event pair AUC (pairs weighted as in the fit) {roc_auc_score(y, scores, sample_weight=w):.4f}")

    train = [parts[name] for name in args.train_on]
    X = np.vstack([p[0] for p in train])
    y = np.concatenate([p[1] for p in train])
    scaler, lr = fit(X, y, balanced([p[2] for p in train]))
    spec = LinearModel.spec(f"pair-lr-{date.today().isoformat()}", EXPANDED, scaler, lr, trained_on=list(args.train_on),
                            embedder=args.embedder, time=asdict(time))
    with open(args.out, "w") as fh:
        json.dump(spec, fh, indent=1)
    print(f"wrote {args.out}: " + ", ".join(f"{f}={c:+.2f}" for f, c in zip(EXPANDED, spec["coef"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
