"""Coverage comparison: what every outlet reports, what only one reports, who is quoted, and when.

``compare_articles(articles)`` takes the articles of a story (stored articles or freshly read
ones), folds syndicated copies into their originals (a copy is shown as a copy, never counted as
agreement), aligns sentences across the originals into facts (align.py), groups the quotations of
all outlets by meaning so a quote carried in German and English is one quote (quotes.py finds
them and their speakers), lists each outlet's named entities (entities.py), and orders the
articles in time with what each later one added. ``Coverage.as_dict()`` is the JSON form that the
CLI prints and the web page shows.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from . import align, boilerplate
from . import text as T
from .config import Settings
from .embed import Embedder, get_embedder
from .entities import Entity, article_entities, person_names, rare_tokens
from .quotes import Quote, find_quotes
from .segment import sentence_spans, word_count

QUOTE_COSINE = 0.7  # two quotations this close in meaning (any sentence of each) are one quote
ENTITIES_SHOWN = 15


@dataclass(frozen=True)
class _Doc:
    id: str
    title: str
    text: str
    date: datetime | None
    source: str
    lang: str
    duplicate_of: str | None
    order: int


@dataclass(frozen=True)
class SharedFact:
    text: str
    articles: tuple[str, ...]
    versions: dict[str, str] = field(default_factory=dict, compare=False)  # article id -> its sentence


@dataclass(frozen=True)
class CarriedQuote:
    speaker: str | None
    text: str
    articles: tuple[str, ...]
    versions: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass
class Coverage:
    articles: list[dict[str, Any]]
    shared: list[SharedFact]
    unique: dict[str, list[str]]
    quotes: list[CarriedQuote]
    timeline: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "shared": [{"text": f.text, "articles": list(f.articles)} for f in self.shared],
            "unique": {aid: [{"text": t} for t in texts] for aid, texts in self.unique.items()},
            "quotes": [{"speaker": q.speaker, "text": q.text, "articles": list(q.articles)} for q in self.quotes],
            "timeline": self.timeline,
        }

    def as_text(self) -> str:
        from .coverage_text import render

        return render(self)


def _as_doc(a: Any, order: int) -> _Doc:
    from .normalize import parse_date

    date = getattr(a, "date", None)
    lang = getattr(a, "lang", "") or ""
    return _Doc(
        id=str(a.id), title=getattr(a, "title", "") or "", text=boilerplate.strip(a.text or "", lang),
        date=parse_date(date) if date is not None else None,
        source=getattr(a, "source", "") or "", lang=lang,
        duplicate_of=getattr(a, "duplicate_of", None), order=order,
    )


def _fold_copies(docs: list[_Doc], settings: Settings, find_copies: bool) -> dict[str, str]:
    """copy id -> original id: the copies the store recorded, then (``find_copies``) the ones
    among the rest that copy detection finds, so files compared directly are treated alike."""
    ids = {d.id for d in docs}
    copy_of = {d.id: d.duplicate_of for d in docs if d.duplicate_of in ids and d.duplicate_of != d.id}
    while True:  # a copy of a copy points at the original
        chained = {c: copy_of.get(o, o) for c, o in copy_of.items()}
        if chained == copy_of:
            break
        copy_of = chained
    if find_copies:
        from .dedup import CopyDetector
        from .normalize import content_hash

        detector = CopyDetector(settings.dedup_threshold, settings.minhash_perm, settings.shingle_words)
        for d in docs:
            if d.id in copy_of:
                continue
            sig = detector.signature(d.text)
            match = detector.find(content_hash(d.text), sig)
            if match is not None and match.original_id not in copy_of:
                copy_of[d.id] = match.original_id
            else:
                detector.add(d.id, content_hash(d.text), sig)
    return copy_of


def compare_articles(
    articles: Sequence[Any],
    embedder: Embedder | None = None,
    settings: Settings | None = None,
    find_copies: bool = True,
    use_spacy: bool = True,
) -> Coverage:
    """Compare the coverage of ``articles`` (anything with id, text and optionally title, date,
    source, lang, duplicate_of: ``model.Article`` or ``store.StoredArticle``)."""
    settings = settings or Settings()
    seen: set[str] = set()
    docs: list[_Doc] = []
    for i, a in enumerate(articles):
        if str(a.id) not in seen:
            seen.add(str(a.id))
            docs.append(_as_doc(a, i))
    docs.sort(key=lambda d: (d.date is None, d.date or datetime.min, d.order))
    copy_of = _fold_copies(docs, settings, find_copies)
    originals = [d for d in docs if d.id not in copy_of]
    embedder = embedder or get_embedder(align.alignment_embedder({d.lang or "?" for d in originals}))
    # Entity recognition runs beside the embedding: both spend their time in BLAS, which releases the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        ents = pool.submit(lambda: {d.id: article_entities(d.text, d.lang, use_spacy) for d in originals})
        coverage = _compare(docs, originals, copy_of, embedder, ents)
        coverage.articles = _articles_out(docs, originals, copy_of, ents.result())
    return coverage


def _compare(docs: list[_Doc], originals: list[_Doc], copy_of: dict[str, str], embedder: Embedder,
             ents: Future[dict[str, list[Entity]]]) -> Coverage:
    units = align.make_units([d.text for d in originals], [d.lang for d in originals])
    unit_vecs = align.embed_cached(embedder, [u.text for u in units])  # while the entities are found
    found = ents.result()
    doc_quotes = [find_quotes(d.text, d.lang, person_names(found[d.id])) for d in originals]
    quote_pieces = [[_pieces(q, d.lang) for q in qs] for qs, d in zip(doc_quotes, originals)]
    piece_vecs = align.embed_cached(embedder, [p for qs in quote_pieces for ps in qs for p in ps])

    facts = align.group_facts(units, align.pair_scores(units, unit_vecs, embedder.name))
    align.find_details(facts, units, unit_vecs, embedder)

    shared, unique, first_seen = _facts_out(facts, units, originals)
    quotes = _group_quotes(originals, doc_quotes, quote_pieces, piece_vecs, embedder.name)
    return Coverage(
        articles=[],
        shared=shared,
        unique=unique,
        quotes=quotes,
        timeline=_timeline(docs, originals, copy_of, units, facts, first_seen),
    )


def _pieces(q: Quote, lang: str) -> list[str]:
    parts = [s.text for s in sentence_spans(q.text, lang) if word_count(s.text) >= 3]
    return parts or [q.text]


def _facts_out(facts: list[align.Fact], units: list[align.Unit], originals: list[_Doc]
               ) -> tuple[list[SharedFact], dict[str, list[str]], dict[int, list[str]]]:
    """Shared facts (most outlets first), unique sentences and details per article in text order,
    and for the timeline what each article reported first."""
    ids = [d.id for d in originals]
    shared: list[tuple[int, SharedFact]] = []
    unique_at: dict[int, list[tuple[int, str]]] = {i: [] for i in range(len(originals))}
    first_seen: dict[int, list[tuple[int, str]]] = {i: [] for i in range(len(originals))}
    for rank, fact in enumerate(facts):
        first = units[fact.units[0]]
        if len(fact.units) == 1:
            unique_at[first.doc].append((first.pos, first.text))
            first_seen[first.doc].append((first.pos, first.text))
            continue
        # details may come from a member or a restating sentence; the representative is a member
        rep = min(fact.units, key=lambda u: (sum(map(word_count, fact.details.get(u, []))), units[u].doc))
        text = align.core_text(units[rep], fact.details.get(rep, []))
        versions = {ids[units[u].doc]: units[u].text for u in fact.units}
        shared.append((rank, SharedFact(text, tuple(ids[units[u].doc] for u in fact.units), versions)))
        first_seen[first.doc].append((first.pos, first.text))
        for u, clauses in fact.details.items():
            unique_at[units[u].doc] += [(units[u].pos, c) for c in clauses]
            if u != fact.units[0]:
                first_seen[units[u].doc] += [(units[u].pos, c) for c in clauses]
    shared.sort(key=lambda rf: (-len(rf[1].articles), rf[0]))
    unique = {ids[i]: [t for _, t in sorted(items, key=lambda x: x[0])] for i, items in unique_at.items()}
    added = {i: [t for _, t in sorted(items, key=lambda x: x[0])] for i, items in first_seen.items()}
    return [f for _, f in shared], unique, added


def _group_quotes(originals: list[_Doc], doc_quotes: list[list[Quote]], pieces: list[list[list[str]]],
                  piece_vecs: np.ndarray, encoder: str) -> list[CarriedQuote]:
    """One entry per quotation, however many outlets and languages carry it."""
    items: list[tuple[int, Quote, np.ndarray]] = []
    row = 0
    for d, (qs, ps) in enumerate(zip(doc_quotes, pieces)):
        for q, p in zip(qs, ps):
            items.append((d, q, piece_vecs[row: row + len(p)]))
            row += len(p)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[i][0] != items[j][0] and float(align.cosines(encoder, items[i][2], items[j][2]).max()) >= QUOTE_COSINE:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    out: list[tuple[int, int, CarriedQuote]] = []
    for members in groups.values():
        docs = sorted({items[m][0] for m in members})
        first = min(members, key=lambda m: (items[m][0], items[m][1].start))
        speakers = [s for m in members if (s := items[m][1].speaker)]
        out.append((-len(docs), first, CarriedQuote(
            _speaker(speakers), items[first][1].text, tuple(originals[d].id for d in docs),
            {originals[items[m][0]].id: items[m][1].text for m in members})))
    out.sort(key=lambda x: (x[0], x[1]))
    return [q for _, _, q in out]


def _speaker(names: list[str]) -> str | None:
    """The name most versions give (by surname), in its longest form."""
    if not names:
        return None
    by_last = Counter(n.split()[-1].lower() for n in names)
    top = by_last.most_common(1)[0][0]
    return max((n for n in names if n.split()[-1].lower() == top), key=len)


def _headline(text: str, limit: int = 120) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _iso(d: _Doc) -> str | None:
    return d.date.isoformat() if d.date else None


def _articles_out(docs: list[_Doc], originals: list[_Doc], copy_of: dict[str, str], found: dict[str, list[Entity]]
                  ) -> list[dict[str, Any]]:
    ents = {i: e[:ENTITIES_SHOWN] for i, e in found.items()}
    tokens = {d.id: set(T.tokens(d.text)) for d in originals}
    out = []
    for d in docs:
        row: dict[str, Any] = {
            "id": d.id, "title": d.title or _headline(d.text), "source": d.source,
            "lang": d.lang, "date": _iso(d), "duplicate_of": copy_of.get(d.id),
            "copies": [c for c, o in copy_of.items() if o == d.id],
        }
        if d.id in ents:
            others = [t for i, t in tokens.items() if i != d.id]
            row["entities"] = [e.as_dict() for e in ents[d.id]]
            row["entities_only_here"] = [
                e.name for e in ents[d.id]
                if not any(any(w in t for w in rare_tokens(e.name, d.lang)) for t in others)
            ]
        out.append(row)
    return out


def _timeline(docs: list[_Doc], originals: list[_Doc], copy_of: dict[str, str], units: list[align.Unit],
              facts: list[align.Fact], first_seen: dict[int, list[str]]) -> list[dict[str, Any]]:
    """Articles in time order: the first report, then what each later one added (copies add nothing)."""
    index = {d.id: i for i, d in enumerate(originals)}
    counts = Counter(u.doc for u in units)
    out = []
    for d in docs:
        entry: dict[str, Any] = {"id": d.id, "source": d.source, "date": _iso(d), "duplicate_of": copy_of.get(d.id)}
        if d.id in index:
            i = index[d.id]
            entry["first"] = i == 0
            entry["facts"] = counts.get(i, 0)
            entry["added"] = [] if i == 0 else [{"text": t} for t in first_seen[i]]
        else:
            entry.update(first=False, facts=0, added=[])
        out.append(entry)
    return out


def load_articles(refs: Sequence[str], db: str | None) -> list[Any]:
    """Articles named on the command line: files or directories (read by the project's readers and
    normalised), else article or story ids in the store at ``db``."""
    from pathlib import Path

    from .errors import InputError, NotFound
    from .ingest import read_paths
    from .model import Rejection
    from .normalize import normalize

    out: list[Any] = []
    store = None
    try:
        for ref in refs:
            if Path(ref).exists():
                for item in read_paths([ref]):
                    art = normalize(item) if not isinstance(item, Rejection) else item
                    if isinstance(art, Rejection):
                        raise InputError(art.reason, art.origin)
                    out.append(art)
                continue
            if db is None:
                raise InputError(f"{ref}: no such file; to compare stored articles pass --db DIR")
            if store is None:
                from .store import Store

                store = Store.read(db)
            try:
                out.append(store.article(ref))
            except NotFound:
                try:
                    store.story(ref)
                except NotFound:
                    raise NotFound(f"no file, article or story {ref!r} (store {db})") from None
                out.extend(store.story_articles(ref))
    finally:
        if store is not None:
            store.close()
    return out
