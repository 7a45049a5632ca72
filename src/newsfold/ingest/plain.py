"""The plain-text article format of the seeds: an optional ``date YYYY-MM-DD`` token, then the body."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from ..model import Article, Item, Rejection
from ..normalize import parse_date

_DATE_TOKEN = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]+)?)\s*", re.IGNORECASE)


def parse_plain(data: bytes, article_id: str, origin: str) -> Item:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(origin, f"undecodable: not UTF-8 at byte {exc.start}", data)
    date = None
    m = _DATE_TOKEN.match(text)
    if m:
        date = parse_date(m.group(1))
        text = text[m.end() :]
    return Article(id=article_id, text=text, date=date, origin=origin, raw=data)


def read_text(path: Path) -> Iterator[Item]:
    """One article per file; its id is the file name without extension."""
    yield parse_plain(path.read_bytes(), path.stem, str(path))
