"""``newsfold follow``, ``newsfold feeds`` and the follower thread of ``newsfold serve --follow``."""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from ..config import Settings
from ..errors import ConfigError, NewsfoldError
from . import state
from .follower import Follower, RoundReport

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> timedelta:
    """'90', '30s', '10m', '1h', '1d'."""
    m = _EVERY.match(text)
    if not m or float(m.group(1)) <= 0:
        raise ConfigError(f"--every {text!r}: write a duration such as 30s, 10m, 1h")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])


class LocalSession:
    """The CLI's own writer: the store opened once (its lock held), the pipeline built on first use."""

    def __init__(self, db: str, settings: Settings) -> None:
        from ..store import Store

        self.settings = settings
        self.store = Store.open(db)
        self.pipeline: Any = None

    def __call__(self, work: Callable[[Any, Any], Any]) -> Any:
        from ..pipeline import Pipeline

        if self.pipeline is None:
            self.pipeline = Pipeline(self.store, self.settings)
        return work(self.store, self.pipeline)

    def close(self) -> None:
        self.store.close()


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_forever(follower: Follower, once: bool, stop: threading.Event, report: Callable[[RoundReport], None]) -> None:
    """Rounds until ``stop`` (or one with ``once``); each waits for the next feed due, at least a second."""
    while not stop.is_set():
        try:
            report(follower.run_round(everything=once))
        except NewsfoldError:
            raise  # the store or the settings: a next round would fail the same way
        except Exception as exc:  # a bug met on some site's answer must not end unattended following
            if once:
                raise
            log(f"round failed: {type(exc).__name__}: {exc}; trying again in {follower.every}")
            stop.wait(follower.every.total_seconds())
            continue
        if once:
            return
        due = follower.next_due()
        wait = 1.0 if due is None else max(1.0, (due - state.now_utc()).total_seconds())
        stop.wait(wait)


class RoundProgress:
    """The round's progress on one line of stderr, only when stderr is a terminal (at most 5 times a second)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False
        self._lock = threading.Lock()  # pages are told from the fetching thread, articles from this one

    def __call__(self, r: RoundReport) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.2:
            return
        with self._lock:
            self.last, self.shown = now, True
            sys.stderr.write(f"\rround: {r.pages_done}/{r.pages_wanted} pages fetched, {r.ingested} articles "
                             f"through the engine ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            self.shown = False


def cmd_follow(args: argparse.Namespace, settings: Settings, progress: RoundProgress) -> int:
    every = parse_every(args.every)
    if not settings.follow_contact:
        log("newsfold follow: set follow_contact (--set follow_contact=you@example.org) so that sites can reach you")
    session = LocalSession(args.db, settings)
    try:
        follower = Follower(args.sources, session, settings, every, progress=progress)

        def report(r: RoundReport) -> None:
            progress.close()
            log(r.line())
            if args.json:
                print(json.dumps(r.as_dict()), flush=True)

        run_forever(follower, args.once, threading.Event(), report)
    finally:
        session.close()
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from ..store import Store

    with Store.read(args.db) as store:
        feeds = state.load(store.conn)
    if args.json:
        print(json.dumps([{**s.__dict__, "health": s.health()} for s in feeds.values()], indent=1))
        return 0
    if not feeds:
        print(f"no feeds followed in {args.db} (newsfold follow SOURCES --db {args.db})")
        return 0
    for s in feeds.values():
        print(f"{s.url}\n    {s.health()}; {s.kind or 'kind unknown'}, {s.entries} entries; "
              f"last poll {state.iso_minute(s.last_poll)} ({s.last_status or '-'}), "
              f"last new article {state.iso_minute(s.last_new)}, next poll {state.iso_minute(s.next_poll)}")
    failing = sum(1 for s in feeds.values() if s.failures)
    print(f"{len(feeds)} feeds, {failing} failing")
    return 0


def start_in_thread(sources: str | Path, writer: Any, settings: Settings, every: timedelta) -> Callable[[], None]:
    """The follower beside the web app: rounds in a daemon thread, writing through the app's one
    writer (``api.Writer.run``); returns the function that stops it."""
    stop = threading.Event()
    follower = Follower(sources, writer.run, settings, every)

    def loop() -> None:
        try:
            run_forever(follower, False, stop, lambda r: log(r.line()))
        except NewsfoldError as exc:
            log(f"newsfold follow stopped: {exc}")

    thread = threading.Thread(target=loop, name="newsfold-follow", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(30)

    return halt


def add_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """The follow and feeds subcommands, added to the CLI's parser by its own ``add``."""
    from .. import cli

    def follow(args: argparse.Namespace) -> int:
        return cmd_follow(args, cli._settings(args), RoundProgress())

    sp = add("follow", "follow feeds and news sitemaps: poll them every --every, fetch new articles' pages, "
             "ingest them (a restart resumes)", follow, True)
    sp.add_argument("sources", metavar="SOURCES", help="text file of feed URLs (one a line, # comments) or OPML")
    sp.add_argument("--db", required=True, metavar="DIR", help="store directory (created if missing)")
    sp.add_argument("--every", default="10m", help="how often each feed is polled (30s, 10m, 1h; default 10m)")
    sp.add_argument("--once", action="store_true", help="one round of every feed not backing off, then stop")
    sp.add_argument("--json", action="store_true", help="also print each round's counts as one JSON line")

    sp = add("feeds", "list the followed feeds with their health", cmd_feeds)
    sp.add_argument("--db", required=True, metavar="DIR")
    sp.add_argument("--json", action="store_true")
