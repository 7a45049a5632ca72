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


def json_lines(path: str | Path) -> Iterator[tuple[str, bytes, Any, str]]:
    """``(origin, raw line, parsed value, error)`` for each non-blank line; error is "" when it parsed."""
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            origin = f"{path}:{lineno}"
            try:
                yield origin, line, json.loads(line), ""
            except UnicodeDecodeError as exc:
                yield origin, line, None, f"undecodable: not UTF-8 ({exc.reason})"
            except json.JSONDecodeError as exc:
                yield origin, line, None, f"invalid JSON: {exc.msg} at column {exc.colno}"


def read_jsonl(path: Path) -> Iterator[Item]:
    for origin, line, row, error in json_lines(path):
        yield Rejection(origin, error, line) if error else from_record(row, origin, line)


def read_csv(path: Path) -> Iterator[Item]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Rejection(str(path), f"undecodable: not UTF-8 at byte {exc.start}", data)
        return
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not reader.fieldnames or not {"id", "text"} <= set(reader.fieldnames):
        yield Rejection(str(path), f"CSV header must name 'id' and 'text'; found {reader.fieldnames}", data[:1000])
        return
    try:
        for row in reader:
            origin = f"{path}:{reader.line_num}"
            raw = json.dumps(row, ensure_ascii=False).encode()
            if None in row:  # more cells than header names
                yield Rejection(origin, "row has more cells than the header", raw)
                continue
            yield from_record(row, origin, raw)
    except csv.Error as exc:
        yield Rejection(f"{path}:{reader.line_num}", f"malformed CSV: {exc}", b"")
