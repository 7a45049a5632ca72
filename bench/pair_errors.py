"""Where the 'same event' pair model goes wrong on the hard pairs: two articles of one ECB+ topic.

    python bench/pair_errors.py [--set ecbplus_events] [--worst 10]

ECB+ groups its events in topics of two events of the same kind (two rehab check-ins, two
earthquakes), so the pairs inside a topic are where linking is decided. For those pairs this
prints: the shipped model's AUC and its error rates at p = 0.5; the mean of each pair feature for
same-event and other-event pairs; and the AUC of a logistic regression and of gradient boosting
refitted on the same features with topic-grouped 5-fold cross-validation, which says whether a
better learner or better evidence is what is missing. Then the articles whose mean probability
to the rest of their own event is under 0.5 (the ones the linker leaves out), by id and length.
A set without topics (Giveme5W1H) is one topic: all pairs, folded by the first article's event.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
from fit_pair_model import dataset_features  # bench/fit_pair_model.py

from newsfold.evaluation import load_jsonl, require_shared_data
from newsfold.features import PAIR_FEATURES, pair_vectors
from newsfold.similarity import PairModel


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="ecbplus_events", help="a labelled file of ../shared/data with topics")
    ap.add_argument("--worst", type=int, default=10, help="how many of the worst-linked articles to list")
    args = ap.parse_args()
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    labels, feats, topics = dataset_features(args.set)
    rows = load_jsonl(require_shared_data() / f"{args.set}.jsonl")  # the same order
    ids, lengths = [r["id"] for r in rows], [len(r["text"]) for r in rows]
    model = PairModel.load()
    n = len(labels)
    proba = np.full((n, n), np.nan)
    pairs, vectors = [], []
    for i in range(n):
        js = [j for j in range(n) if j != i and topics[j] == topics[i]]
        if js:
            vec = pair_vectors(feats[i], [feats[j] for j in js])
            proba[i, js] = model.proba_vectors(vec)
            pairs += [(i, j) for j in js if j > i]
            vectors += [v for j, v in zip(js, vec) if j > i]
    X = np.array(vectors)
    same = np.array([labels[i] == labels[j] for i, j in pairs])
    group = np.array([topics[i] for i, _ in pairs])
    if len(set(group)) < 5:  # a set without topics (Giveme5W1H): every pair is "inside"; fold by event instead
        group = np.array([labels[i] for i, _ in pairs])
    p = np.array([(proba[i, j] + proba[j, i]) / 2 for i, j in pairs])
    print(f"{args.set}: {len(pairs)} pairs inside a topic, {same.sum()} of them same-event")
    print(f"shipped model: AUC {roc_auc_score(same, p):.4f}; same-event pairs under 0.5: {(p[same] < 0.5).mean():.3f}; "
          f"other-event pairs at 0.5 or over: {(p[~same] >= 0.5).mean():.3f}")
    print(f"  {'feature':16s} {'same':>6s} {'other':>6s}   (means)")
    for k, name in enumerate(PAIR_FEATURES):
        print(f"  {name:16s} {X[same, k].mean():6.3f} {X[~same, k].mean():6.3f}")
    learners = {"logistic regression": lambda: LogisticRegression(C=1.0, max_iter=5000),
                "gradient boosting": lambda: HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05,
                                                                           max_leaf_nodes=15, random_state=0)}
    for name, make in learners.items():
        pred = np.zeros(len(same))
        for train, test in GroupKFold(5).split(X, same, group):
            scaler = StandardScaler().fit(X[train])
            pred[test] = make().fit(scaler.transform(X[train]), same[train]).predict_proba(scaler.transform(X[test]))[:, 1]
        print(f"refitted on these pairs, topic-grouped 5-fold CV: {name} AUC {roc_auc_score(same, pred):.4f}")
    own = [(float(np.nanmean(proba[i, [j for j in range(n) if j != i and labels[j] == labels[i]]])), i)
           for i in range(n) if sum(label == labels[i] for label in labels) > 1]
    low = sorted((m, i) for m, i in own if m < 0.5)
    print(f"articles with mean probability to their own event under 0.5: {len(low)} of {n}; median length "
          f"{np.median([lengths[i] for _, i in low]) if low else 0:.0f} characters against {np.median(lengths):.0f}")
    for m, i in low[: args.worst]:
        print(f"  {m:.2f}  {ids[i]}  {lengths[i]} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
