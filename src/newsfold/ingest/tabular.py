"""JSONL and CSV: one article per line/row with ``id`` and ``text``; other known fields optional."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..model import Article, Item, Rejection
from ..normalize import parse_date

OPTIONAL = ("title", "date", "source", "url", "lang")


def _field(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


def from_record(row: Any, origin: str, raw: bytes) -> Item:
    """An Article from a mapping; unknown fields (a ``cluster`` label, say) are never read."""
    if not isinstance(row, Mapping):
        return Rejection(origin, f"expected a JSON object, got {type(row).__name__}", raw)
    missing = [k for k in ("id", "text") if row.get(k) in (None, "")]
    if missing:
        return Rejection(origin, f"missing required field(s): {', '.join(missing)}", raw)
    if not isinstance(row["text"], str):
        return Rejection(origin, "field 'text' must be a string", raw)
    return Article(
        id=str(row["id"]),
        text=row["text"],
        title=_field(row, "title"),
        date=parse_date(row.get("date")),
        source=_field(row, "source"),
        url=_field(row, "url"),
        lang=_field(row, "lang"),
        origin=origin,
        raw=raw,
    )


DEFAULT_MAX_ITEM_BYTES = 5_000_000  # the max_item_bytes setting's default
_SKIP = 1 << 20  # bytes read at a time while skipping the rest of a line that is too large


def json_lines(path: str | Path, max_bytes: int | None = None) -> Iterator[tuple[str, bytes, Any, str]]:
    """``(origin, raw line, parsed value, error)`` for each non-blank line; error is "" when it parsed.

    A line over ``max_bytes`` is never held whole: its first 1,000 bytes come back with a
    "too large" error and the rest is skipped.
    """
    limit = max_bytes if max_bytes is not None else DEFAULT_MAX_ITEM_BYTES
    with open(path, "rb") as fh:
        lineno = 0
        while True:
            line = fh.readline(limit + 2)  # the item, its line break (maybe CR LF)
            if not line:
                return
            lineno += 1
            origin = f"{path}:{lineno}"
            if len(line.rstrip(b"\r\n")) > limit:
                size, tail = len(line), line
                while not tail.endswith(b"\n"):
                    tail = fh.readline(_SKIP)
                    if not tail:
                        break
                    size += len(tail)
                yield origin, line[:1000], None, f"too large: {size} bytes > max_item_bytes ({limit})"
                continue
            if not line.strip():
                continue
            try:
                yield origin, line, json.loads(line), ""
            except UnicodeDecodeError as exc:
                yield origin, line, None, f"undecodable: not UTF-8 ({exc.reason})"
            except json.JSONDecodeError as exc:
                yield origin, line, None, f"invalid JSON: {exc.msg} at column {exc.colno}"


def read_jsonl(path: Path, max_item_bytes: int | None = None) -> Iterator[Item]:
    for origin, line, row, error in json_lines(path, max_item_bytes):
        yield Rejection(origin, error, line) if error else from_record(row, origin, line)


def read_csv(path: Path, max_item_bytes: int | None = None) -> Iterator[Item]:
    limit = max_item_bytes if max_item_bytes is not None else DEFAULT_MAX_ITEM_BYTES
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Rejection(str(path), f"undecodable: not UTF-8 at byte {exc.start}", data[:1000])
        return
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    # A field may be as large as an item (csv's default stops at 131,072 characters); a larger
    # one is that row's rejection, and the rows after it are read on.
    csv.field_size_limit(max(limit, 131_072))
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        fields = reader.fieldnames
    except csv.Error as exc:
        yield Rejection(str(path), f"malformed CSV header: {exc}", data[:1000])
        return
    if not fields or not {"id", "text"} <= set(fields):
        yield Rejection(str(path), f"CSV header must name 'id' and 'text'; found {fields}", data[:1000])
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejection(f"{path}:{reader.line_num}", f"malformed CSV: {exc}", b"")
            continue
        origin = f"{path}:{reader.line_num}"
        raw = json.dumps(row, ensure_ascii=False).encode("utf-8", "surrogatepass")
        if None in row:  # more cells than header names
            yield Rejection(origin, "row has more cells than the header", raw[:limit])
            continue
        yield from_record(row, origin, raw)
