"""Readers: each turns a file into Articles and Rejections, never dropping an item silently.

``read_paths`` walks files and directories and picks the reader by content, falling back
on the extension; every reader yields ``Article | Rejection`` with ``origin`` set.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import InputError
from ..model import Item, Rejection
from . import feeds, html, plain, tabular, warc

Reader = Callable[[Path], Iterator[Item]]

READERS: dict[str, Reader] = {
    "jsonl": tabular.read_jsonl,
    "csv": tabular.read_csv,
    "text": plain.read_text,
    "html": html.read_html,
    "feed": feeds.read_feed,
    "warc": warc.read_warc,
}


def sniff(path: Path) -> str:
    """Name of the reader for a file, from its first bytes, then its extension."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = path.suffix.lower()
    for name, detect in _DETECTORS:
        if detect(stripped, suffix):
            return name
    return "text"


def _is_jsonl(head: bytes, suffix: str) -> bool:
    return suffix in {".jsonl", ".ndjson", ".json"} or head.startswith(b"{")


def _is_csv(head: bytes, suffix: str) -> bool:
    first = head.split(b"\n", 1)[0].lower()
    return suffix in {".csv", ".tsv"} or (b"," in first and b"id" in first and b"text" in first and len(first) < 300)


# Content first (WARC, feeds, HTML), then JSONL/CSV, then the extensions of the web formats.
_DETECTORS: list[tuple[str, Callable[[bytes, str], bool]]] = [
    ("warc", warc.looks_like),
    ("feed", feeds.looks_like),
    ("html", html.looks_like),
    ("jsonl", _is_jsonl),
    ("csv", _is_csv),
    ("warc", warc.has_extension),
    ("feed", feeds.has_extension),
    ("html", html.has_extension),
]


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files under the given paths, recursively, in a stable (sorted) order; hidden files skipped.

    Paths are made absolute (``..`` and ``.`` resolved, symbolic links kept), so origins, and the
    ids made from them, do not depend on how a path was spelled or where the command ran.
    """
    for p in paths:
        path = Path(os.path.abspath(p))
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        elif os.path.lexists(path):
            yield path  # a file, or something else that read_paths turns into a rejection
        else:
            raise InputError(f"no such file or directory: {path}")


def read_paths(paths: Iterable[str | os.PathLike[str]], fmt: str | None = None,
               max_item_bytes: int | None = None) -> Iterator[Item]:
    """All items of all files under ``paths``, in file order then position in file.

    ``max_item_bytes`` bounds what the line and row readers hold of one item (JSONL, CSV); the
    other formats have fixed caps of their own, and the pipeline rejects any larger item."""
    for path in iter_files(paths):
        try:
            mode = path.stat().st_mode  # through a symbolic link: what would be read
        except OSError as exc:
            yield Rejection(str(path), f"unreadable file: {exc.strerror or exc}", malformed=False)
            continue
        if not stat.S_ISREG(mode):  # a FIFO would block, /dev/zero never end
            yield Rejection(str(path), "not a regular file (a device, FIFO or socket): not read", malformed=False)
            continue
        try:
            name = fmt or sniff(path)
            reader = READERS[name]
        except KeyError:
            raise InputError(f"unknown format {fmt!r}; known: {', '.join(READERS)}") from None
        except OSError as exc:
            yield Rejection(str(path), f"unreadable file: {exc.strerror or exc}")
            continue
        yield from (reader(path, max_item_bytes) if name in ("jsonl", "csv") else reader(path))
