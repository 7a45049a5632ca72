"""Fit the 'same event' pair model shipped in src/newsfold/resources/pair_model.json.

Data: ../shared/data Giveme5W1H and ECB+ (labelled event clusters). Pairs: every
same-event pair and a seeded sample of other pairs, each dataset weighted equally.
Before writing, it reports pair AUC on held-out events (events split in folds), so a
model that only memorises shows up here.

    python bench/fit_pair_model.py [--out PATH]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date

import numpy as np

from newsfold.embed import get_embedder
from newsfold.evaluation import load_jsonl, require_shared_data
from newsfold.features import extract, pair_vector
from newsfold.model import Article
from newsfold.normalize import normalize
from newsfold.similarity import EXPANDED, LinearModel, expand
from newsfold.text import lead

DATASETS = ("giveme5w1h_events", "ecbplus_events")


def dataset_features(name: str, lead_words: int = 120) -> tuple[list[str], list, list[str]]:
    rows = load_jsonl(require_shared_data() / f"{name}.jsonl")
    arts = []
    for r in rows:
        a = normalize(Article(id=r["id"], text=r["text"], title=r.get("title") or "", date=r.get("date"),
                              source=r.get("source") or "", url=r.get("url") or "", lang=r.get("lang") or ""))
        assert isinstance(a, Article), r["id"]
        arts.append(a)
    embs = get_embedder().encode([lead(a.text, a.title, lead_words) for a in arts])
    feats = [extract(a.text, a.title, a.lang, a.date, e) for a, e in zip(arts, embs)]
    return [r["cluster"] for r in rows], feats, [str(r.get("topic", "")) for r in rows]


def sample_pairs(labels: list[str], feats: list, topics: list[str], rng: random.Random, neg_rate: float = 0.15):
    """All same-event pairs, all same-topic pairs (the hard negatives), a sample of the rest."""
    X, y, groups = [], [], []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            same = labels[i] == labels[j]
            if same or (topics[i] and topics[i] == topics[j]) or rng.random() < neg_rate:
                X.append(pair_vector(feats[i], feats[j]))
                y.append(int(same))
                groups.append((labels[i], labels[j]))
    return np.array(X), np.array(y), groups


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
    ap.add_argument("--exclude-events", default="", help="file of event labels to leave out of training (hold-out)")
    args = ap.parse_args()
    require_shared_data()
    from sklearn.metrics import roc_auc_score

    rng = random.Random(13)
    excluded = set(open(args.exclude_events).read().split()) if args.exclude_events else set()
    parts = {}
    for name in DATASETS:
        labels, feats, topics = dataset_features(name)
        keep = [i for i, label in enumerate(labels) if label not in excluded]
        labels, feats, topics = [labels[i] for i in keep], [feats[i] for i in keep], [topics[i] for i in keep]
        X, y, groups = sample_pairs(labels, feats, topics, rng)
        parts[name] = (X, y, groups, sorted(set(labels)))
        print(f"{name}: {len(y)} pairs, {int(y.sum())} same-event", file=sys.stderr)

    # Held-out check: events in fold k are never seen in training for fold k.
    for name, (X, y, groups, events) in parts.items():
        fold_of = {e: i % args.folds for i, e in enumerate(sorted(events, key=lambda e: hash((e, 7)) % 1000))}
        scores = np.zeros(len(y))
        for k in range(args.folds):
            test = np.array([fold_of[a] == k or fold_of[b] == k for a, b in groups])
            train = np.array([fold_of[a] != k and fold_of[b] != k for a, b in groups])
            Xs = [X[train]] + [p[0] for n, p in parts.items() if n != name]
            ys = [y[train]] + [p[1] for n, p in parts.items() if n != name]
            Xt, yt = np.vstack(Xs), np.concatenate(ys)
            scaler, lr = fit(Xt, yt, np.ones(len(yt)))
            scores[test] = lr.predict_proba(scaler.transform(expand(X[test])))[:, 1]
        print(f"{name}: held-out-event pair AUC {roc_auc_score(y, scores):.4f}")

    X = np.vstack([p[0] for p in parts.values()])
    y = np.concatenate([p[1] for p in parts.values()])
    w = np.concatenate([np.full(len(p[1]), len(y) / (len(parts) * len(p[1]))) for p in parts.values()])
    scaler, lr = fit(X, y, w)
    spec = LinearModel.spec(f"pair-lr-{date.today().isoformat()}", EXPANDED, scaler, lr, trained_on=list(DATASETS))
    with open(args.out, "w") as fh:
        json.dump(spec, fh, indent=1)
    print(f"wrote {args.out}: " + ", ".join(f"{f}={c:+.2f}" for f, c in zip(EXPANDED, spec["coef"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
