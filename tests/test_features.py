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
