"""The value types every step passes along: one Article type, one Rejection type."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """One news article, as read (then normalised) from any input format.

    ``origin`` says where it came from (``path:line`` or ``path#record``) and
    ``raw`` keeps the input bytes so an item can be re-processed after a fix.
    """

    id: str
    text: str
    title: str = ""
    date: datetime | None = None  # timezone-aware, UTC after normalisation
    source: str = ""  # outlet, e.g. "bbc.co.uk"
    url: str = ""
    lang: str = ""
    origin: str = ""
    summary_only: bool = False  # feed entries that carry only a summary
    raw: bytes = field(default=b"", repr=False, compare=False)

    def with_(self, **changes: object) -> Article:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Rejection:
    """An input item that did not become an article, with the reason why."""

    origin: str
    reason: str
    raw: bytes = field(default=b"", repr=False)
    # False for items that are fine but are not articles (a WARC request record, an image):
    # they are counted and kept, but never stop a strict run.
    malformed: bool = True


Item = Article | Rejection


@dataclass(frozen=True)
class Assignment:
    """Where the linker put one article."""

    article_id: str
    story_id: str
    duplicate_of: str | None = None
    score: float = 0.0  # the linking score that decided it (1.0 for copies)
