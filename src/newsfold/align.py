"""Sentence alignment across articles: which sentences of different outlets report the same fact.

Every sentence of every article is embedded once (one batch, cached per text). Two sentences of
different articles score ``cosine + lexical and name/number evidence``; sentences are grouped
greedily, best pair first, into facts with at most one sentence per article, joining two groups
only while their average score stays high. A sentence in a fact may still say more than the other
versions ("a warning that Washington was playing with fire" where the other outlet wrote "would
pay a heavy price"): such clauses are found lexically, confirmed by embedding, and reported as
details only that article has.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from . import text as T
from .embed import Embedder
from .entities import NOUN_CAPITALISING
from .segment import clause_spans, sentence_spans, word_count

MIN_FACT_WORDS = 4  # shorter sentences ("Not anymore.") are never facts of their own
PAIR_SCORE = 0.65  # a pair of sentences this close reports one fact (bench on the demo: see tests)
GROUP_SCORE = 0.6  # two groups join while their average pair score stays this high
DETAIL_COVERAGE = 0.5  # a clause whose content words another version has this share of is not new
DETAIL_COSINE = 0.6  # ... nor one this close in meaning to any sentence of another article
DETAIL_MIN_WORDS = 4
NEAR_COSINE = 0.35  # sentences of other articles checked for a clause's words
EMBED_CACHE = 20_000
# The alignment encoder: use-m3 is fast and good within one of its 16 languages; across languages, and
# in any language it does not cover (Czech, Ukrainian, Croatian ...), multilingual-e5-small (about 100
# languages, some 15 times slower) finds translations far better (bench/coverage_quality.py).
FAST_EMBEDDER, BROAD_EMBEDDER = "use-m3", "e5-small"
FAST_LANGS = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())
# Cosines of one encoder onto the scale the thresholds above are on (use-m3's): ``(cos - anchor) * slope
# + PAIR_SCORE``. e5-small's cosines are compressed (unrelated sentences about 0.77, translations about
# 0.90); the slope spreads its range as wide as use-m3's. The anchor: facts F1 on the dev pairs is flat
# from 0.82 to 0.85 on either half (0.949-0.954, bench/coverage_quality.py --half); 0.84 keeps a
# sentence on the same story that is no translation under the pair score (the demo's Spanish report).
COSINE_SCALE = {"e5-small": (0.84, 4.6)}
# For aligning sentences, an encoder with compressed cosines is read as a margin (Artetxe & Schwenk
# 2019): a pair's cosine over the mean cosine of each sentence's MARGIN_K nearest sentences in the other
# articles. Sentences of one story all lie close; a translation stands out from its neighbours, a
# sentence on the same topic does not. ``(margin - anchor) * slope + PAIR_SCORE``; the anchor 1.035 is the
# best on either half of the dev pairs (facts F1 0.945 and 0.953, each the other half's pick too), where a
# raw cosine cutoff gave 0.950 and 0.954 but let same-story sentences pass (demo tests).
MARGIN_K = 4
MARGIN_SCALE = {"e5-small": (1.035, 8.0)}


def alignment_embedder(langs: AbstractSet[str]) -> str:
    """The encoder for one comparison: use-m3 for articles all in one language it covers, else e5-small."""
    return FAST_EMBEDDER if len(langs) == 1 and set(langs) <= FAST_LANGS else BROAD_EMBEDDER


def cosines(name: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosines of the rows of ``a`` and ``b`` (unit vectors of encoder ``name``) on the common scale."""
    sims = a @ b.T
    if name in COSINE_SCALE:
        anchor, slope = COSINE_SCALE[name]
        sims = (sims - anchor) * slope + PAIR_SCORE
    return sims

_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def embed_cached(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Rows for ``texts``; only texts not seen before are encoded, in one batch."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _cache_lock:
        for i, t in enumerate(texts):
            vec = _cache.get((embedder.name, t))
            if vec is None:
                missing.setdefault(t, []).append(i)
            else:
                _cache.move_to_end((embedder.name, t))
                out[i] = vec
    if missing:
        new = embedder.encode(list(missing))
        with _cache_lock:
            for row, (t, idx) in zip(new, missing.items()):
                out[idx] = row
                _cache[(embedder.name, t)] = row
            while len(_cache) > EMBED_CACHE:
                _cache.popitem(last=False)
    return out


@dataclass
class Unit:
    """One sentence of one article."""

    doc: int  # index of the article among the compared originals
    pos: int  # sentence number in the article
    text: str
    lang: str
    tokens: frozenset[str] = field(default_factory=frozenset)
    prefixes: frozenset[str] = field(default_factory=frozenset)
    numbers: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Fact:
    """Sentences of different articles that report one thing; ``details`` maps a unit to its clauses
    that no other article reports."""

    units: list[int]
    details: dict[int, list[str]] = field(default_factory=dict)
    # sentences that say this fact again in an article that already has a sentence in it (an
    # article may lead with a fact and restate it): not unique, but their extra clauses may be
    restated: list[int] = field(default_factory=list)


def make_units(texts: Sequence[str], langs: Sequence[str]) -> list[Unit]:
    units = []
    for d, (text, lang) in enumerate(zip(texts, langs)):
        pos = 0
        for span in sentence_spans(text, lang):
            if word_count(span.text) < MIN_FACT_WORDS:
                continue
            toks = T.tokens(span.text)
            units.append(Unit(d, pos, span.text, lang, frozenset(toks), _prefixes(toks), frozenset(T.numbers(span.text))))
            pos += 1
    return units


def _prefixes(toks: Sequence[str]) -> frozenset[str]:
    return frozenset(t[:5] for t in toks if len(t) >= 5)


def _binary(rows: Sequence[AbstractSet[str]]) -> np.ndarray:
    vocab: dict[str, int] = {}
    for r in rows:
        for k in r:
            vocab.setdefault(k, len(vocab))
    m = np.zeros((len(rows), max(1, len(vocab))), dtype=np.float32)
    for i, r in enumerate(rows):
        for k in r:
            m[i, vocab[k]] = 1.0
    return m


def pair_scores(units: list[Unit], vecs: np.ndarray, encoder: str = FAST_EMBEDDER) -> np.ndarray:
    """Score of every sentence pair; pairs within one article are -inf."""
    n = len(units)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    weights = [T.term_weights(u.text, u.lang) for u in units]
    vocab: dict[str, int] = {}
    for w in weights:
        for k in w:
            vocab.setdefault(k, len(vocab))
    lex = np.zeros((n, max(1, len(vocab))), dtype=np.float32)
    for i, w in enumerate(weights):
        for k, v in w.items():
            lex[i, vocab[k]] = v
    lex /= np.maximum(np.linalg.norm(lex, axis=1, keepdims=True), 1e-9)
    names = _binary([set(T.names(u.text, u.lang)) for u in units])
    nums = _binary([set(u.numbers) for u in units])
    name_n = names.sum(axis=1)
    name_overlap = (names @ names.T) / np.maximum(np.minimum.outer(name_n, name_n), 1.0)
    shared_nums = nums @ nums.T
    has_nums = nums.sum(axis=1) > 0
    conflict = np.outer(has_nums, has_nums) & (shared_nums == 0)
    docs = np.array([u.doc for u in units])
    score = _margins(encoder, vecs, docs) if encoder in MARGIN_SCALE else cosines(encoder, vecs, vecs)
    score += 0.25 * (lex @ lex.T) + 0.05 * name_overlap
    score += np.minimum(0.2, 0.08 * shared_nums) - 0.08 * conflict
    score[docs[:, None] == docs[None, :]] = -np.inf
    return score


def _margins(encoder: str, vecs: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Margin scores of every pair (see MARGIN_SCALE), on the common scale, taken per pair of articles
    as in bitext mining (a sentence's neighbours in the one other article), so a fact that many
    articles share does not crowd its own neighbourhood."""
    sims = vecs @ vecs.T
    margin = np.zeros_like(sims)
    rows = {d: np.nonzero(docs == d)[0] for d in np.unique(docs)}
    for a, ra in rows.items():
        for b, rb in rows.items():
            if a >= b:
                continue
            block = sims[np.ix_(ra, rb)]
            k = min(MARGIN_K, len(rb)), min(MARGIN_K, len(ra))
            near_a = -np.sort(-block, axis=1)[:, : k[0]].mean(axis=1)
            near_b = -np.sort(-block, axis=0)[: k[1], :].mean(axis=0)
            m = block / np.maximum((near_a[:, None] + near_b[None, :]) / 2, 1e-6)
            margin[np.ix_(ra, rb)] = m
            margin[np.ix_(rb, ra)] = m.T
    anchor, slope = MARGIN_SCALE[encoder]
    return (margin - anchor) * slope + PAIR_SCORE


def group_facts(units: list[Unit], score: np.ndarray) -> list[Fact]:
    """Greedy average-linkage grouping, best pair first, at most one sentence per article per fact."""
    n = len(units)
    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    docs: dict[int, set[int]] = {i: {units[i].doc} for i in range(n)}
    ii, jj = np.nonzero(np.triu(score >= PAIR_SCORE, 1))
    order = np.argsort(-score[ii, jj], kind="stable")
    for k in order:
        a, b = group[ii[k]], group[jj[k]]
        if a == b or docs[a] & docs[b]:
            continue
        if score[np.ix_(members[a], members[b])].mean() < GROUP_SCORE:
            continue
        for m in members[b]:
            group[m] = a
        members[a] += members.pop(b)
        docs[a] |= docs.pop(b)
    facts = {g: Fact(sorted(ms, key=lambda m: (units[m].doc, units[m].pos))) for g, ms in members.items()}
    for g, fact in list(facts.items()):
        if len(fact.units) > 1:
            continue
        u = fact.units[0]
        best = int(np.argmax(score[u])) if n > 1 else u
        if best != u and score[u, best] >= PAIR_SCORE and len(members[group[best]]) > 1:
            facts[group[best]].restated.append(u)
            del facts[g]
    return sorted(facts.values(), key=lambda f: (units[f.units[0]].doc, units[f.units[0]].pos))


def _content(text: str, lang: str, names_only: bool) -> dict[str, float]:
    """Content words (idf-weighted) and numbers of a clause; across languages only names and
    numbers can be compared."""
    items: dict[str, float] = {}
    words = {w for name in T.names(text, lang or "en") for w in name.split()} if names_only else None
    for tok in T.tokens(text):
        if tok.isdigit() or (words is not None and tok not in words):
            continue
        w = T.idf(tok, lang or "en")
        if names_only and lang in NOUN_CAPITALISING and w < T.RARE_IDF:
            continue  # "Kosten", "Stadt": German capitalises nouns, they are not names
        if len(tok) >= 3 and w >= 1.5:
            items[tok] = w
    for num in T.numbers(text):
        items["#" + num] = 3.0
    return items


def _coverage(items: dict[str, float], other: Unit) -> float:
    total = sum(items.values())
    have = sum(w for t, w in items.items()
               if (t[1:] in other.numbers if t.startswith("#") else
                   t in other.tokens or (len(t) >= 5 and t[:5] in other.prefixes)))
    return have / total if total else 1.0


def find_details(facts: list[Fact], units: list[Unit], vecs: np.ndarray, embedder: Embedder) -> None:
    """Fill ``fact.details`` for facts that several articles share."""
    candidates: list[tuple[Fact, int, str]] = []
    near = cosines(embedder.name, vecs, vecs) >= NEAR_COSINE
    for fact in facts:
        for u in fact.units:
            near[u, fact.units] = True
    for fact in facts:
        if len(fact.units) < 2:
            continue
        for u in fact.units + fact.restated:
            unit = units[u]
            # sentences of other articles that could say the same: the fact's versions and near neighbours
            others = [int(v) for v in np.nonzero(near[u])[0] if units[v].doc != unit.doc]
            words = word_count(unit.text)
            for clause in clause_spans(unit.text):
                n_words = word_count(clause.text)
                if n_words < DETAIL_MIN_WORDS or (u in fact.units and n_words >= 0.9 * words):
                    continue  # an aligned sentence is not new as a whole: the alignment says otherwise
                same = _content(clause.text, unit.lang, names_only=False)
                rare = _content(clause.text, unit.lang, names_only=True)
                if sum(same.values()) < 8.0:
                    continue
                covered = False
                for v in others:
                    items = same if units[v].lang == unit.lang else rare
                    if not items:
                        covered = v in fact.units  # another language, nothing to compare: trust the alignment
                    else:
                        covered = _coverage(items, units[v]) >= DETAIL_COVERAGE
                    if covered:
                        break
                if not covered:
                    candidates.append((fact, u, clause.text))
    if not candidates:
        return
    # A translation may say the clause in a longer sentence: compare with the other versions' clauses too.
    version_clauses: dict[int, list[str]] = {}
    for fact, _, _ in candidates:
        for v in fact.units + fact.restated:
            if v not in version_clauses:
                version_clauses[v] = [c.text for c in clause_spans(units[v].text)]
    flat = [t for ts in version_clauses.values() for t in ts]
    allvecs = embed_cached(embedder, [c[2] for c in candidates] + flat)
    cvecs, clause_vecs = allvecs[: len(candidates)], allvecs[len(candidates):]
    rows: dict[int, np.ndarray] = {}
    k = 0
    for v, ts in version_clauses.items():
        rows[v] = clause_vecs[k: k + len(ts)]
        k += len(ts)
    sims = cosines(embedder.name, cvecs, vecs)
    doc_of = np.array([x.doc for x in units])
    for (fact, u, text), row, cvec in zip(candidates, sims, cvecs):
        best = float(row[doc_of != units[u].doc].max(initial=-1.0))
        for v in fact.units + fact.restated:
            if units[v].doc != units[u].doc and len(rows[v]):
                best = max(best, float(cosines(embedder.name, rows[v], cvec[None, :]).max()))
        if best < DETAIL_COSINE:
            fact.details.setdefault(u, []).append(text)


def core_text(unit: Unit, details: list[str]) -> str:
    """The sentence without the clauses only this article has: what the outlets share."""
    if not details:
        return unit.text
    kept = [c.text for c in clause_spans(unit.text) if c.text not in details]
    core = ", ".join(kept).strip()
    if word_count(core) < MIN_FACT_WORDS:
        return unit.text
    return core if core[-1:] in ".!?…\"”»" else core + "."
