"""The ``newsfold`` command. Every error becomes one line on stderr and an exit code from errors.py."""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from . import __version__, config
from .errors import InputError, NewsfoldError
from .model import Rejection


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal."""

    def __init__(self, label: str, unit: str = "articles") -> None:
        self.label = label
        self.unit = unit
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        """``total``: the articles read so far (the input is read in chunks, its length is unknown)."""
        self.done, self.total = done, total
        now = time.monotonic()
        if self.enabled and now - self.last >= 0.2:
            self.last = now
            self._write(now)

    def _write(self, now: float) -> None:
        rate = self.done / max(now - self.start, 1e-9)
        sys.stderr.write(f"\r{self.label}: {self.done}/{self.total} {self.unit} ({rate:.1f}/s)")
        sys.stderr.flush()

    def close(self) -> None:
        """The final count, and the end of the line."""
        if self.enabled and self.total:
            self._write(time.monotonic())
            sys.stderr.write("\n")


def _settings(args: argparse.Namespace) -> config.Settings:
    overrides: dict[str, Any] = {}
    for item in getattr(args, "set", None) or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise config.ConfigError(f"--set takes name=value, got {item!r}")
        overrides[name.strip()] = value.strip()
    return config.load(getattr(args, "config", None), overrides)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def shown(text: str) -> str:
    """Text for a terminal line: control characters (a newline, an ANSI escape) written as escapes."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def _report_reject(r: Rejection) -> None:
    print(f"skipped {shown(r.origin)}: {shown(r.reason)}", file=sys.stderr)


class _RejectReport:
    """Malformed items one line each on stderr; items that are fine but not articles (a WARC request
    record, a redirect) counted by kind and told in one line at the end: a crawl holds thousands."""

    def __init__(self) -> None:
        self.not_articles: Counter[str] = Counter()

    def __call__(self, r: Rejection) -> None:
        if r.malformed:
            _report_reject(r)
        else:
            self.not_articles[r.reason.split(",")[0]] += 1

    def summary(self) -> None:
        if self.not_articles:
            kinds = ", ".join(f"{n} {kind}" for kind, n in self.not_articles.most_common())
            print(f"not articles, kept in the store (see 'newsfold rejects'): {kinds}", file=sys.stderr)


def _print_stories(stories: list[dict[str, Any]]) -> None:
    for s in stories:
        span = (s["first_date"] or "")[:10]
        if s["last_date"] and s["last_date"][:10] != span:
            span += f"..{s['last_date'][:10]}"
        copies = s["size"] - s["originals"]
        size = f"{s['size']} article{'s' if s['size'] != 1 else ''}" + (f" ({copies} copies)" if copies else "")
        print(f"{s['id']}  {span or 'undated':<22} {size:<24} {','.join(s['langs']):<10} {s['title'][:90]}")
        print(f"{'':15}outlets: {', '.join(s['outlets'][:8])}{' ...' if len(s['outlets']) > 8 else ''}")


# -- commands ---------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    new_store = not Path(args.db).exists()
    try:
        counts, total = _ingest(args, settings)
    except BaseException:
        if new_store:  # nothing of a failed first ingest is worth keeping if nothing was stored
            _remove_if_empty(Path(args.db))
        raise
    print(
        f"read {counts.items} items: {counts.articles} new articles, {counts.duplicates} copies, "
        f"{counts.already_stored} already stored, {counts.rejected} rejected; {counts.new_stories} new stories. "
        f"Store: {total['articles']} articles in {total['stories']} stories."
    )
    return 0


def _remove_if_empty(db: Path) -> None:
    """Remove a store directory this command created, if it holds no article and no rejection."""
    import shutil

    from .store import DB_NAME

    if not db.is_dir() or {p.name for p in db.iterdir()} - {"writer.lock", DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"}:
        return
    if (db / DB_NAME).exists():
        try:
            with sqlite3.connect(f"file:{db / DB_NAME}?mode=ro", uri=True) as conn:
                if any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in ("articles", "rejections")):
                    return
        except sqlite3.Error:
            return
    shutil.rmtree(db, ignore_errors=True)


def _ingest(args: argparse.Namespace, settings: Any) -> tuple[Any, dict[str, int]]:
    from .ingest import read_paths
    from .pipeline import Pipeline
    from .store import Store

    with Store.open(args.db, holder="newsfold ingest") as store:
        pipe = Pipeline(store, settings)
        report = _RejectReport()
        progress = Progress("ingest")
        counts = pipe.run(read_paths(args.paths, max_item_bytes=settings.max_item_bytes), strict=not args.skip_bad,
                          on_reject=report, progress=progress)
        progress.close()
        total = store.counts()
    report.summary()
    return counts, total


def cmd_stories(args: argparse.Namespace) -> int:
    from .store import Store

    with Store.read(args.db) as store:
        stories = store.stories(order=args.order, limit=args.limit)
    if args.json:
        print(json.dumps(stories, ensure_ascii=False, indent=1))
    else:
        _print_stories(stories)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .store import Store

    with Store.read(args.db) as store:
        story = store.story(args.story)
        articles = store.story_articles(args.story)
    coverage = None
    if getattr(args, "coverage", False):
        from .compare import compare_articles

        coverage = compare_articles(articles, settings=_settings(args))
    if args.json:
        story["articles"] = [a.as_dict() for a in articles]
        if coverage is not None:
            story["coverage"] = coverage.as_dict()
        print(json.dumps(story, ensure_ascii=False, indent=1))
        return 0
    _print_stories([story])
    print()
    for a in articles:
        mark = f"  copy of {a.duplicate_of}" if a.duplicate_of else ""
        print(f"  {(a.date or 'undated')[:16]:<17} {a.source or '-':<24} {a.lang:<3} {a.id}{mark}")
        print(f"  {'':17} {(a.title or a.text.split(chr(10))[0])[:100]}")
    if coverage is not None:
        print()
        print(coverage.as_text(), end="")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare_articles, load_articles

    settings = _settings(args)
    articles = load_articles(args.items, args.db)
    if not articles:
        raise InputError("nothing to compare: the files hold no articles")
    coverage = compare_articles(articles, settings=settings)
    if args.json:
        print(json.dumps(coverage.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(coverage.as_text(), end="")
    return 0


def cmd_rejects(args: argparse.Namespace) -> int:
    from .store import Store

    with Store.read(args.db) as store:
        rows = store.rejections(limit=args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(f"{shown(r['origin'])}: {shown(r['reason'])} ({r['raw_bytes'] or 0} raw bytes kept)")
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    from .ingest import READERS
    from .pipeline import Pipeline
    from .store import Store

    settings = _settings(args)
    items = list(READERS["jsonl"](Path(args.input)))
    with tempfile.TemporaryDirectory(prefix="newsfold-cluster-") as tmp, Store.open(tmp) as store:
        progress = Progress("cluster")
        Pipeline(store, settings).run(items, strict=not args.skip_bad, on_reject=_report_reject, progress=progress,
                                      chunk=None)
        progress.close()
        result = {r["id"]: (r["story_id"], r["duplicate_of"])
                  for r in store.conn.execute("SELECT id, story_id, duplicate_of FROM articles")}
        origins = {r["id"]: r["origin"] for r in store.conn.execute("SELECT id, origin FROM articles")}
    with _open_out(args.out) as out:
        for item in items:
            if isinstance(item, Rejection) or origins.get(item.id) != item.origin:
                continue
            story, dup = result[item.id]
            out.write(json.dumps({"id": item.id, "story": story, "duplicate_of": dup}) + "\n")
    return 0


SIMILARITY_CHUNK = 64  # pairs scored per batch by ``newsfold similarity``


def cmd_similarity(args: argparse.Namespace) -> int:
    from .embed import get_embedder
    from .pairs import read_pairs, score_pairs
    from .similarity import SimilarityModel

    settings = _settings(args)
    pairs = []
    for p in read_pairs(args.input):
        if isinstance(p, InputError):
            if not args.skip_bad:
                raise p
            print(f"skipped {p}", file=sys.stderr)
            continue
        pairs.append(p)
    embedder, model = get_embedder(settings.embedder), SimilarityModel.load()
    progress = Progress("similarity", "pairs")
    with _open_out(args.out) as out:
        # Chunks: batched embedding stays efficient, results stream out and progress shows.
        for start in range(0, len(pairs), SIMILARITY_CHUNK):
            for r in score_pairs(pairs[start : start + SIMILARITY_CHUNK], embedder, model, settings.lead_words):
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
            progress(min(start + SIMILARITY_CHUNK, len(pairs)), len(pairs))
    progress.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import demo_corpus_path

    print(f"Ingesting the demo corpus ({demo_corpus_path()}) into {args.db} ...")
    ingest_args = argparse.Namespace(db=args.db, paths=[str(demo_corpus_path())], skip_bad=False,
                                     config=None, set=args.set)
    cmd_ingest(ingest_args)
    print()
    cmd_stories(argparse.Namespace(db=args.db, order="newest", limit=50, json=False))
    if args.no_serve:
        return 0
    print()
    return cmd_serve(argparse.Namespace(db=args.db, host=args.host, port=args.port, config=None, set=args.set))


def cmd_serve(args: argparse.Namespace) -> int:
    from .api import serve

    serve(args.db, _settings(args), host=args.host, port=args.port, announce=lambda line: print(line, flush=True),
          follow=getattr(args, "follow", None), every=getattr(args, "every", "10m"))
    return 0


def cmd_spark(args: argparse.Namespace) -> int:
    from .spark_job import JobOptions, describe, run

    opts = JobOptions(master=args.master, partitions=args.partitions, block_days=args.block_days,
                      overlap_days=args.overlap_days, strict=not args.skip_bad, embed_threads=args.embed_threads,
                      driver_memory=args.driver_memory)
    print(describe(run(args.paths, args.out, _settings(args), opts)))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .spark_import import counts_line, import_tables

    print(counts_line(import_tables(args.dir, args.db), args.db))
    return 0


class _open_out:
    """Write to a file atomically (temp file then rename), or to stdout for '-'."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self):  # type: ignore[no-untyped-def]
        if self.path == "-":
            return sys.stdout
        self.tmp = Path(self.path).with_name(Path(self.path).name + ".part")
        self.fh = self.tmp.open("w", encoding="utf-8")
        return self.fh

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.path == "-":
            return
        self.fh.close()
        if exc_type is None:
            self.tmp.replace(self.path)
        else:
            self.tmp.unlink(missing_ok=True)


# -- parser -----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsfold",
        description="Turn news articles from many outlets and languages into stories.",
        epilog="Settings: see docs/SETTINGS.md; set them with --set NAME=VALUE, NEWSFOLD_<NAME>, or a TOML file.",
    )
    p.add_argument("--version", action="version", version=f"newsfold {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str, func: Any, settings: bool = False) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(func=func)
        if settings:
            sp.add_argument("--config", help="TOML file with a [newsfold] table of settings")
            sp.add_argument("--set", action="append", metavar="NAME=VALUE", help="override one setting (repeatable)")
        return sp

    sp = add("ingest", "read articles from files or directories into a store (incremental, idempotent)", cmd_ingest, True)
    sp.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (text, JSONL, CSV, ...)")
    sp.add_argument("--db", required=True, metavar="DIR", help="store directory (created if missing)")
    sp.add_argument("--skip-bad", action="store_true", help="report bad items on stderr and go on")

    sp = add("stories", "list the stories in a store", cmd_stories)
    sp.add_argument("--db", required=True, metavar="DIR")
    sp.add_argument("--order", choices=["newest", "largest"], default="newest")
    sp.add_argument("--limit", type=int, default=50)
    sp.add_argument("--json", action="store_true", help="print JSON instead of text")

    sp = add("show", "show one story and its articles", cmd_show)
    sp.add_argument("story", help="story id (from 'newsfold stories')")
    sp.add_argument("--db", required=True, metavar="DIR")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--coverage", action="store_true",
                    help="add the coverage comparison: shared and unique facts, quotes, entities, timeline")

    sp = add("compare", "compare how articles cover one event: what all report, what one reports, who is quoted",
             cmd_compare, True)
    sp.add_argument("items", nargs="+", metavar="FILE_OR_ID",
                    help="article files or directories, or article/story ids in the store given by --db")
    sp.add_argument("--db", metavar="DIR", help="store to look ids up in")
    sp.add_argument("--json", action="store_true", help="print JSON instead of text")

    sp = add("rejects", "list the input items a store rejected, with reasons", cmd_rejects)
    sp.add_argument("--db", required=True, metavar="DIR")
    sp.add_argument("--limit", type=int, default=100)
    sp.add_argument("--json", action="store_true")

    sp = add("cluster", "group a JSONL file of articles into stories (stream in date order)", cmd_cluster, True)
    sp.add_argument("input", metavar="IN.jsonl", help='one {"id", "text", ...} per line')
    sp.add_argument("--out", required=True, metavar="OUT.jsonl", help='{"id", "story", "duplicate_of"} per line; - for stdout')
    sp.add_argument("--skip-bad", action="store_true", help="report bad lines on stderr and go on")

    sp = add("similarity", "score article pairs on the SemEval-2022 Task 8 scale, with reasons", cmd_similarity, True)
    sp.add_argument("input", metavar="PAIRS.jsonl", help='one {"pair_id", "text1", "text2", ...} per line')
    sp.add_argument("--out", required=True, metavar="OUT.jsonl", help="- for stdout")
    sp.add_argument("--skip-bad", action="store_true")

    sp = add("demo", "ingest the shipped demo corpus into a local store, list its stories, then serve them", cmd_demo)
    sp.add_argument("--db", default="newsfold-demo", metavar="DIR", help="store directory (default: ./newsfold-demo)")
    sp.add_argument("--set", action="append", metavar="NAME=VALUE", help="override one setting")
    sp.add_argument("--no-serve", action="store_true", help="stop after listing the stories (for scripts and tests)")
    sp.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")

    sp = add("serve", "serve a store's stories as web pages and a JSON API (OpenAPI at /api/openapi.json)",
             cmd_serve, True)
    sp.add_argument("--db", required=True, metavar="DIR", help="store directory")
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    sp.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    sp.add_argument("--follow", metavar="SOURCES", help="also follow these feeds (as 'newsfold follow' does)")
    sp.add_argument("--every", default="10m", help="with --follow: how often each feed is polled (default 10m)")

    from .follow.commands import add_commands

    add_commands(add)

    sp = add("spark", "run the pipeline as an Apache Spark batch job: Parquet tables of articles, copies, stories",
             cmd_spark, True)
    sp.add_argument("paths", nargs="+", metavar="IN", help="JSONL, CSV, WARC, HTML, feed or Parquet files or "
                    "directories; local, or URIs Hadoop reads (hdfs://, s3a://, file://)")
    sp.add_argument("--out", required=True, metavar="DIR", help="output directory (local or a Hadoop URI)")
    sp.add_argument("--master", help="Spark master (default: spark-submit's, else local[2])")
    sp.add_argument("--partitions", type=int, default=4, help="shuffle partitions (results do not depend on it)")
    sp.add_argument("--block-days", type=float, help="length of the time blocks linked apart "
                    "(default: 365 or twice the overlap)")
    sp.add_argument("--overlap-days", type=float, help="days each block shares with the next, where split stories "
                    "are joined (default: the window_days setting; shorter: more parallel, long stories may split)")
    sp.add_argument("--embed-threads", type=int, default=0, help="embedder threads per task (0: cores / tasks)")
    sp.add_argument("--driver-memory", default="2g", help="driver memory in local mode (default 2g)")
    sp.add_argument("--skip-bad", action="store_true", help="record bad items in the rejections table and go on")

    sp = add("import", "load the tables of 'newsfold spark' into a new store (stories, show, serve, ingest work on it)",
             cmd_import)
    sp.add_argument("dir", metavar="DIR", help="the --out directory of 'newsfold spark'")
    sp.add_argument("--db", required=True, metavar="STORE", help="store directory (new or empty)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except NewsfoldError as exc:
        print(f"newsfold: error: {shown(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("newsfold: interrupted; the store keeps every whole batch written so far", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
