"""Language-independent text helpers: tokens, sentences, names, numbers, term weights."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SENT_END = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"'“‘«(]?[^\W\d_])|\n\s*\n|\n(?=[\"“«]?[A-ZÀ-Þ])")
# A capitalised word that is not all caps noise; joined with the next ones into a name.
_CAP = re.compile(r"^[A-ZÀ-ÞĀ-ſ][\w'’\-]*$")
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:[,. ]\d{3})+(?:[.,]\d+)?(?![\w])|(?<![\w.])\d+(?:[.,]\d+)?(?![\w])")
# Words capitalised before a name that are not part of it (articles, honorifics).
_NAME_PREFIXES = {"the", "a", "an", "mr", "mrs", "ms", "dr", "der", "die", "das", "el", "la", "los", "las", "le",
                  "les", "il", "lo", "herr", "frau", "sr", "sra", "m", "mme"}
# Weekdays and months are capitalised in several languages but name no person, place or organisation.
_CALENDAR = set(
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july august "
    "september october november december jan feb mar apr jun jul aug sep sept oct nov dec "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz juni juli oktober dezember "
    "lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril juin juillet août septembre "
    "octobre novembre décembre lunes martes miércoles jueves viernes sábado domingo enero febrero marzo abril mayo "
    "junio julio agosto septiembre octubre noviembre diciembre".split()
)
_CALENDAR_PREPOSITIONS = {"on", "in", "at", "by", "last", "next", "this", "am", "im", "el", "le", "au", "en"}
_NAME_JOINERS = {"de", "da", "van", "von", "der", "del", "al", "bin", "la", "le", "of", "du"}


def normalize_space(text: str) -> str:
    return re.sub(r"[ \t\r\f\v]+", " ", unicodedata.normalize("NFC", text)).strip()


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits, any script)."""
    return [t.lower().replace("’", "'") for t in _WORD.findall(text)]


def sentences(text: str) -> list[str]:
    """Split into sentences; good enough across Latin, Cyrillic, Greek and Arabic scripts."""
    parts = _SENT_END.split(text)
    return [p.strip() for p in parts if p and len(p.strip()) > 1]


def lead(text: str, title: str = "", words: int = 120) -> str:
    """Title plus the first ``words`` words of the body: what a reader sees first."""
    body = " ".join(text.split()[:words])
    return f"{title}. {body}" if title and not text.startswith(title) else body


@lru_cache(maxsize=500_000)
def idf(term: str, lang: str) -> float:
    """Inverse document frequency from a language's word-frequency list (wordfreq).

    A static list works from the first article on (no cold start) and across
    datasets. Unknown words (names, rare terms) get the highest weight.
    """
    from wordfreq import zipf_frequency

    try:
        zipf = zipf_frequency(term, lang or "en")
    except LookupError:  # a language wordfreq does not cover
        zipf = zipf_frequency(term, "en")
    return max(0.0, 7.5 - zipf)


def term_weights(text: str, lang: str) -> dict[str, float]:
    """tf * idf over word tokens, sub-linear tf; stop words fall out with idf near 0."""
    counts: dict[str, int] = {}
    for tok in tokens(text):
        if len(tok) > 1 or tok.isdigit():
            counts[tok] = counts.get(tok, 0) + 1
    out: dict[str, float] = {}
    for tok, n in counts.items():
        w = idf(tok, lang)
        if w > 1.0:
            out[tok] = (1.0 + _log(n)) * w
    return out


def _log(x: float) -> float:
    import math

    return math.log(x)


RARE_IDF = 4.5  # a word this rare in the language's frequency list is a name wherever it stands


def names(text: str, lang: str = "en") -> dict[str, int]:
    """Capitalised word sequences: a script-agnostic stand-in for NER.

    Returns lower-cased names with their counts. A single word that starts a sentence
    counts only if it is rare (capitalised as a name, not for grammar). A long sequence
    ("Secretary of State Mike Pompeo") also counts its rare last word ("pompeo"), so
    later short mentions match it.
    """
    found: dict[str, int] = {}
    for sent in sentences(text):
        words = sent.split()
        i = 0
        while i < len(words):
            w = words[i].strip("\"'“”‘’«»()[]:;,.!?")
            if w and _CAP.match(w) and not w.isupper() or (w.isupper() and 2 <= len(w) <= 6 and w.isalpha()):
                j = i + 1
                parts = [w]
                while j < len(words):
                    nxt = words[j].strip("\"'“”‘’«»()[]:;,.!?")
                    if nxt and (_CAP.match(nxt) or (nxt.lower() in _NAME_JOINERS and j + 1 < len(words))):
                        parts.append(nxt)
                        if words[j][-1:] in ",.;:!?)\"”’»":
                            j += 1
                            break
                        j += 1
                    else:
                        break
                while parts and parts[-1].lower() in _NAME_JOINERS:
                    parts.pop()
                while parts and parts[0].lower().rstrip(".") in _NAME_PREFIXES:
                    parts.pop(0)
                if all(p.lower().rstrip(".") in _CALENDAR or p.lower() in _CALENDAR_PREPOSITIONS for p in parts):
                    parts = []
                if parts and (i > 0 or len(parts) > 1 or idf(parts[0].lower(), lang) >= RARE_IDF):
                    key = " ".join(parts).lower()
                    found[key] = found.get(key, 0) + 1
                    last = parts[-1].lower()
                    if len(parts) > 1 and idf(last, lang) >= RARE_IDF:
                        found[last] = found.get(last, 0) + 1
                i = max(j, i + 1)
            else:
                i += 1
    return found


def numbers(text: str) -> set[str]:
    """Numbers mentioned, normalised (thousands separators dropped); years and counts alike."""
    out = set()
    for m in _NUMBER.findall(text):
        digits = re.sub(r"[,. ](?=\d{3}\b)", "", m).replace(",", ".")
        if digits not in {"0", "1", "2"}:
            out.add(digits)
    return out
