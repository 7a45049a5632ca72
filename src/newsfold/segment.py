"""Sentences and clauses with their character offsets, so quotes and facts can point back into the text.

``text.sentences`` is enough for features; comparing coverage needs the exact spans (a quote is
matched to the sentences it overlaps, a clause is cut out of a shared sentence), closing quote
marks kept with their sentence, and no split after "Mr." or an initial.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and a capital, an
# opening quote or a digit; a lower-case word after the stop means it was an abbreviation ("6 a.m. to").
_STOP = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«„(\[]?[^\W_])")
# Chinese and Japanese end a sentence with a full-width stop and no space after it.
_CJK_STOP = re.compile(r"[。！？]+[」』）】)\"”’]*")
_BREAK = re.compile(r"\n\s*")
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "lt", "col", "capt", "sgt",
    "no", "nr", "vs", "etc", "inc", "corp", "ltd", "co", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct",
    "nov", "dec", "z.b", "bzw", "ca", "sra", "srta", "mme", "mlle", "av", "ave", "u.s", "u.k", "e.g", "i.e",
})
# Abbreviations of one language only ("art." ends many an English sentence but abbreviates German "Artikel").
LANG_ABBREVIATIONS = {
    "en": frozenset("drs messrs mmes sens reps govs gens rev hon atty supt det cpl pvt adm maj cmdr lieut brig "
                    "fig approx dept univ assn bros mt ft nos pp ph.d".split()),
    "de": frozenset("abs art bd bzgl d.h dipl evtl ggf hr fr inkl jh jhd mio mrd nr str sog u.a usw vgl z.t "
                    "geb gest ing mag min max dt engl franz ital span chr v.chr n.chr".split()),
    "fr": frozenset("mm me mes ste cf env bd av éd p.ex vol chap mgr pr".split()),
    "es": frozenset("dra sres sras ud uds lic ing arq gral gob pág núm aprox avda cía dña dña excmo sta "
                    "profa".split()),
}


def abbreviations(lang: str = "") -> frozenset[str]:
    """Words that a dot does not end a sentence after, in ``lang`` (every language's when unknown)."""
    if lang in LANG_ABBREVIATIONS:
        return ABBREVIATIONS | LANG_ABBREVIATIONS[lang]
    return _ALL_ABBREVIATIONS if not lang else ABBREVIATIONS


_WORD_BEFORE = re.compile(r"([\w.]+)$")
_CLAUSE_SEP = re.compile(r",\s+|;\s+|:\s+|\s+[–—]\s+|\s+\(|\)\s*")
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
_ALL_ABBREVIATIONS = ABBREVIATIONS.union(*LANG_ABBREVIATIONS.values())


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def sentence_spans(text: str, lang: str = "") -> list[Span]:
    """Sentences of ``text`` as spans; every line break ends a sentence unless the next line starts lower-case.
    ``lang`` adds that language's abbreviations ("Drs.", "Abs.", "Sra.")."""
    abbrevs = abbreviations(lang)
    cuts = [0]
    for m in _STOP.finditer(text):
        before = _WORD_BEFORE.search(text[max(0, m.start() - 24):m.start() + 1])
        word = (before.group(1) if before else "").lower().rstrip(".")
        if word in abbrevs or (len(word) == 1 and word.isalpha() and text[m.start() - 1].isupper()):
            continue  # "Mr. Wu", "John S. McCain"
        if word.isdigit() and len(word) <= 2 and m.group() == ".":
            continue  # a German ordinal: "am 2. April"
        nxt = text[m.end():].lstrip()[:2]
        letter = next((c for c in nxt if c.isalnum()), "")
        if letter.islower():
            continue
        cuts.append(m.end())
    cuts += [m.end() for m in _CJK_STOP.finditer(text)]
    for m in _BREAK.finditer(text):
        rest = text[m.end():m.end() + 1]
        if not rest or not rest.islower():
            cuts.append(m.start())
    cuts = sorted(set(cuts)) + [len(text)]
    spans = []
    for a, b in pairwise(cuts):
        chunk = text[a:b]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if len(body) > 1:
            spans.append(Span(a + lead, a + lead + len(body), body))
    return spans


def clause_spans(sentence: str, min_words: int = 3) -> list[Span]:
    """Clauses of one sentence (cut at commas, semicolons, colons, dashes, brackets); pieces under
    ``min_words`` words join the next piece so that no clause is a lone adverb."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_SEP.finditer(sentence):
        if m.start() > start:
            pieces.append((start, m.start()))
        start = m.end()
    if start < len(sentence):
        pieces.append((start, len(sentence)))
    merged: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for a, b in pieces:
        if pending is not None:
            a = pending[0]
            pending = None
        if len(_WORDS.findall(sentence[a:b])) < min_words:
            pending = (a, b)
            continue
        merged.append((a, b))
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], pending[1])
        else:
            merged.append(pending)
    return [Span(a, b, sentence[a:b]) for a, b in merged]


def word_count(text: str) -> int:
    from .text import segmented_word_count

    return segmented_word_count(text) or len(_WORDS.findall(text))
