"""The publication date a text states at its top, for articles whose metadata carries none.

Pages copied as text keep their dateline ("May 03, 2013", "PUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM",
"First Posted: 08/04/11 06:44 PM ET") on a line of its own near the top. Only such lines count: a
date the story merely mentions ("checked in on Tuesday, December 9, 2008.") sits inside a sentence
and is never read as the article's date. Parsing is dateparser's, with day, month and year all
required, in the article's language (month names, day-first or month-first order).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

TOP_LINES = 6  # non-empty lines searched
MAX_WORDS = 14  # a dateline is short; anything longer is a sentence
# Words a dateline line may carry besides the date itself.
_LABEL = re.compile(
    r"^\W*(?:(?:first|last)\s+)?(?:published|posted|updated|modified|created|date|dated|on|"
    r"veröffentlicht|aktualisiert|stand|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato)\b"
    r"(?:\s+(?:on|am|le|el|il|em|op))?\b\W*",
    re.IGNORECASE,
)
_HAS_NUMBER_DATE = re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}\b")
# Tokenised copies write "11: 47 AM", "05 / 02 / 2013", "p. m.": join them before parsing.
_SPACED = ((re.compile(r"(\d)\s*([:/])\s*(\d)"), r"\1\2\3"), (re.compile(r"\b([ap])\.\s*m\.", re.I), r"\1m"))
_SEPARATORS = re.compile(r"\s*[|@•·]\s*|\s+-\s+")
_MONTH_FIRST = {"en"}  # numeric dates: month first in US English, day first elsewhere


def dateline(text: str, lang: str = "") -> datetime | None:
    """The date on one of the first TOP_LINES lines that hold little besides a date, in UTC; or None."""
    seen = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        seen += 1
        if seen > TOP_LINES:
            break
        found = _parse_line(line, lang)
        if found is not None:
            return found
    return None


def _parse_line(line: str, lang: str) -> datetime | None:
    if len(line.split()) > MAX_WORDS or not _HAS_NUMBER_DATE.search(line):
        return None
    for pattern, repl in _SPACED:
        line = pattern.sub(repl, line)
    line = _SEPARATORS.sub(" ", _LABEL.sub("", line)).strip(" .,:;")
    if not line or line.endswith("?"):
        return None
    import dateparser

    settings = {
        "REQUIRE_PARTS": ["day", "month", "year"],
        "STRICT_PARSING": True,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TO_TIMEZONE": "UTC",
        "DATE_ORDER": "MDY" if (lang or "en") in _MONTH_FIRST else "DMY",
    }
    languages = sorted({lang, "en"} - {""}) if lang else None
    try:
        found = dateparser.parse(line, languages=languages, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input: no date, not a crash
        return None
    if found is None or not 1900 <= found.year <= 2100:
        return None
    return found.astimezone(timezone.utc)
