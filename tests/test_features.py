"""Pair evidence: what two articles' reductions share, on text the test writes itself."""
from __future__ import annotations

import numpy as np

from newsfold.features import PAIR_FEATURES, extract, pair_vector
from newsfold.text import names

STEM = PAIR_FEATURES.index("stem_cos")
TERM = PAIR_FEATURES.index("term_cos")


def _feats(text: str, lang: str):  # type: ignore[no-untyped-def]
    return extract(text, "", lang, None, np.ones(4, dtype=np.float32) / 2)


def test_stem_cosine_meets_inflected_forms_that_word_cosine_misses() -> None:
    a = _feats("Die Regierung kündigte neue Sanktionen gegen die Reederei an.", "de")
    b = _feats("Regierungen erwägen eine Sanktion gegen Reedereien.", "de")
    vec = pair_vector(a, b)
    assert vec[STEM] > vec[TERM] + 0.2
    assert vec[STEM] > 0.5


def test_stem_cosine_is_low_for_unrelated_texts() -> None:
    a = _feats("The ferry sank off the northern coast in a storm.", "en")
    b = _feats("The central bank raised interest rates by half a point.", "en")
    assert pair_vector(a, b)[STEM] < 0.1


def test_weekdays_and_months_are_not_names_but_people_called_may_are() -> None:
    found = names("On Tuesday the minister met Theresa May in London. In March, May said little. Sunday was quiet.")
    assert "tuesday" not in found and "on tuesday" not in found and "sunday" not in found
    assert "march" not in found and "in march" not in found
    assert "theresa may" in found and "london" in found


def _reference(a, b) -> list[float]:  # type: ignore[no-untyped-def]
    """Each PAIR_FEATURES entry by its definition, one pair at a time, with plain dicts and sets."""
    def cos(x: dict, y: dict) -> float:
        nx, ny = (sum(v * v for v in d.values()) ** 0.5 or 1.0 for d in (x, y))
        return sum(v * y[k] for k, v in x.items() if k in y) / (nx * ny)

    def stems(d: dict) -> dict:
        out: dict = {}
        for k, v in d.items():
            out[k[:4]] = out.get(k[:4], 0.0) + v
        return out

    def covered(x, y) -> float:  # type: ignore[no-untyped-def]
        return sum(n in y.names or all(w in y.terms for w in n.split()) for n in x.key_names) / len(x.key_names)

    shared = set(a.names) & set(b.names)
    smaller = min(sum(a.names.values()), sum(b.names.values()))
    years = [{n for n in f.numbers if len(n) == 4 and n[:2] in ("19", "20")} for f in (a, b)]
    covers = [covered(x, y) for x, y in ((a, b), (b, a)) if x.key_names]
    dated = a.date is not None and b.date is not None
    gap = abs((a.date - b.date).total_seconds()) / 86400 if dated else 0.0
    return [
        float(a.emb @ b.emb),
        cos(a.terms, b.terms),
        cos(a.title_terms, b.title_terms) if a.title_terms and b.title_terms else 0.0,
        sum(max(a.names[n], b.names[n]) for n in shared) / smaller if smaller else 0.0,
        float(np.log1p(len(shared))),
        len(a.numbers & b.numbers) / len(a.numbers | b.numbers) if a.numbers | b.numbers else 0.0,
        sum(covers) / len(covers) if covers else 0.5,
        float(bool(years[0] & years[1])),
        float(bool(years[0] and years[1] and not years[0] & years[1])),
        float(dated and gap <= 1),
        float(np.log1p(gap)),
        float(dated),
        cos(stems(a.terms), stems(b.terms)),
    ]


def test_pair_vectors_match_each_feature_definition_whatever_the_batch() -> None:
    from datetime import datetime, timezone
    import pickle

    from newsfold.features import pair_vectors

    texts = [
        ("Ferry sinks off Crete", "A ferry carrying 212 passengers sank off Crete on Monday, the Greek coast guard said. "
         "Captain Nikos Andreadis was rescued. The ship, built in 1998, had been inspected in 2025.", "en", 1),
        ("Ferry disaster near Crete", "Greek rescuers pulled 212 people from the sea after the ferry sank near Crete. "
         "Nikos Andreadis, the captain, survived. Officials said the 2025 inspection found nothing.", "en", 2),
        ("", "The central bank raised its key rate to 4.5 percent, its first rise since 2019, Governor Ana Ruiz said.",
         "en", None),
        ("Fähre vor Kreta gesunken", "Vor Kreta ist eine Fähre mit 212 Passagieren gesunken. Kapitän Nikos Andreadis "
         "wurde gerettet. Die Küstenwache Griechenlands bestätigte das Unglück 1998 gebauten Schiffs.", "de", 40),
        ("", "Nothing here is shared.", "en", 3),
    ]
    rng = np.random.default_rng(3)
    feats = []
    for title, text, lang, day in texts:
        emb = rng.normal(size=8).astype(np.float32)
        date = None if day is None else datetime(2026, 3, day, tzinfo=timezone.utc) if day <= 31 else \
            datetime(2026, 4, day - 31, tzinfo=timezone.utc)
        feats.append(extract(text, title, lang, date, emb / np.linalg.norm(emb)))
    for i, a in enumerate(feats):
        others = feats[:i] + feats[i + 1:]
        batch = pair_vectors(a, others)
        assert batch.shape == (len(others), len(PAIR_FEATURES))
        for row, b in zip(batch, others):
            np.testing.assert_allclose(row, _reference(a, b), rtol=1e-9, atol=1e-6)
            np.testing.assert_allclose(pair_vectors(a, [b])[0], row, rtol=1e-12, atol=1e-12)
    # The same event in two outlets shares names, numbers and a year; the bank story does not.
    ferry = pair_vectors(feats[0], [feats[1], feats[2]])
    assert ferry[0, PAIR_FEATURES.index("shared_names")] > 0 and ferry[1, PAIR_FEATURES.index("shared_names")] == 0
    assert ferry[0, PAIR_FEATURES.index("years_shared")] == 1 and ferry[1, PAIR_FEATURES.index("years_disjoint")] == 1
    # Hash-keyed caches never travel: a pickled copy rebuilds them in the process that reads it.
    copy = pickle.loads(pickle.dumps(feats[0]))
    assert "sparse" not in copy.__dict__
    np.testing.assert_allclose(pair_vectors(copy, [feats[1]]), pair_vectors(feats[0], [feats[1]]))
