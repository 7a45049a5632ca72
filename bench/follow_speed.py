"""Follow rate: a local web of FEEDS feeds over FEEDS x PER_FEED article pages, one ``newsfold follow
--once`` round into a fresh store, then a second round with nothing changed.

    .venv/bin/python bench/follow_speed.py                       # 1,000 feeds, 10,000 pages
    .venv/bin/python bench/follow_speed.py --feeds 50 --hosts 4  # a quick check

The web (tests/follow_web.py: invented articles, RSS/Atom summary feeds and news sitemaps, so that
every entry's page is fetched) is served by a separate process, one threaded HTTP server per
loopback address 127.0.0.2.. (``--hosts``). The round is the real command, timed around it; its
JSON line splits the time into waiting on fetching (polls, and page fetches the engine's work did
not hide: the next slice's pages are fetched while one is ingested), extracting (HTML to text) and
the engine (normalise, copies, embedding, linking, store); "fetching busy" is the wall time the
fetches took, overlapped or not. Prints pages fetched and
ingested per second and the share of each. ``--set`` passes settings to the command (default:
``embedder=hash-bow``, no per-host delay, 8 requests per host, 32 in all).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
DEFAULT_SETTINGS = ["embedder=hash-bow", "follow_host_delay=0", "follow_per_host=8", "follow_concurrency=32"]


def serve(feeds: int, per_feed: int, hosts: int, sources: Path) -> None:
    """The web, until stdin closes: writes the sources file, then prints 'ready'."""
    from follow_web import LocalWeb, feed_body, make_story, serve_pages

    kinds = ("rss-summary", "atom-summary", "sitemap")
    with LocalWeb(hosts=hosts) as web:
        lines = []
        for k in range(feeds):
            host = web.base[k % hosts]
            stories = [make_story(k * per_feed + i, host, path=f"news/{k}") for i in range(per_feed)]
            serve_pages(web, stories)
            body, ctype = feed_body(kinds[k % len(kinds)], f"feed {k}", host, stories)
            url = f"{host}/feeds/{k}.xml"
            web.put(url, body, content_type=ctype)
            lines.append(url)
        sources.write_text("\n".join(lines) + "\n")
        print("ready", flush=True)
        sys.stdin.read()


def follow(sources: Path, db: Path, settings: list[str]) -> tuple[dict, float]:
    cmd = [sys.executable, "-m", "newsfold.cli", "follow", str(sources), "--db", str(db), "--once", "--json",
           "--set", "follow_contact=bench@newsfold.invalid"]
    for s in settings:
        cmd += ["--set", s]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - t
    if proc.returncode:
        raise SystemExit(f"follow failed:\n{proc.stderr}")
    print(proc.stderr.strip().splitlines()[-1])
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--per-feed", type=int, default=10)
    p.add_argument("--hosts", type=int, default=10)
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="settings for the follow command")
    p.add_argument("--json", action="store_true")
    p.add_argument("--serve", metavar="SOURCES", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve(args.feeds, args.per_feed, args.hosts, Path(args.serve))
        return
    settings = DEFAULT_SETTINGS + (args.set or [])
    work = Path(tempfile.mkdtemp(prefix="newsfold-follow-bench-"))
    sources = work / "sources.txt"
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(sources), "--feeds", str(args.feeds),
                               "--per-feed", str(args.per_feed), "--hosts", str(args.hosts)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready", "the web did not start"
        first, wall = follow(sources, work / "db", settings)
        second, _ = follow(sources, work / "db", settings)
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(30)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    pages = first["pages_fetched"]
    out = {
        "feeds": args.feeds, "pages": args.feeds * args.per_feed, "hosts": args.hosts, "settings": settings,
        "pages_fetched": pages, "articles": first["articles"], "copies": first["duplicates"],
        "failed": {**first["failed_feeds"], **first["failed_pages"]},
        "round_s": round(first["total_s"], 1), "command_s": round(wall, 1),
        "pages_per_s": round(pages / first["total_s"], 1),
        "fetch_share": round(first["fetch_s"] / first["total_s"], 3),
        "fetch_busy_share": round(first["fetch_busy_s"] / first["total_s"], 3),
        "extract_share": round(first["extract_s"] / first["total_s"], 3),
        "engine_share": round(first["engine_s"] / first["total_s"], 3),
        "requests": first["requests"],
        "unchanged_round_s": round(second["total_s"], 2), "unchanged_feeds": second["unchanged"],
        "peak_rss_mb_largest_child": round(peak_mb),
    }
    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(out, indent=1))
        return
    print(f"{out['pages_fetched']} of {out['pages']} pages from {args.feeds} feeds on {args.hosts} hosts: "
          f"{out['articles']} articles, {out['copies']} copies, failures {out['failed'] or 'none'}")
    print(f"round {out['round_s']} s ({out['command_s']} s with start-up): {out['pages_per_s']} pages fetched and "
          f"ingested per second; of the round: waiting on fetching {out['fetch_share']:.0%}, extraction "
          f"{out['extract_share']:.0%}, engine {out['engine_share']:.0%}; fetching busy {out['fetch_busy_share']:.0%} "
          f"(overlapping the engine)")
    print(f"second round, nothing changed: {out['unchanged_feeds']} feeds unchanged in {out['unchanged_round_s']} s; "
          f"peak RSS {out['peak_rss_mb_largest_child']} MB")


if __name__ == "__main__":
    main()
