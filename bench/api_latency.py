"""Latency of the story list and story pages with 100,000 articles in the store, 20 concurrent clients.

    python bench/api_latency.py [--articles 100000] [--clients 20] [--requests 400] [--db DIR]

How the store is filled: a small loader writes synthetic rows straight into the store tables
(``articles``), then calls the store's own ``refresh_stories`` for every story, so the story rows
and the search/filter index are exactly what ingest would maintain. No embedding or linking runs:
``features`` holds only names (for search), ``emb``/``minhash`` are empty, so the store can be
read and served but not ingested into. Stories have heavy-tailed sizes (most 1-5 articles, a few
hundreds), 10% of articles are copies, 60 outlets, 8 languages, dates over one year.

Then ``newsfold serve`` runs in its own process on 127.0.0.1 and ``--clients`` threads, each with
a keep-alive connection, send the requests of each scenario; the script prints p50/p95/p99 per
scenario. Figures depend on the machine (and on what else runs on it): the script says how many
cores it saw.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from newsfold.store import Store

PLACES = ["Brennmoor", "Valdemora", "Kestrel Point", "Marrow Bay", "Talvik", "Orvella", "Dunmore", "Ellery",
          "Farrow Heath", "Gallowmere", "Hollin Ridge", "Caldoria", "Velmark", "Westreach", "Kerrin", "Skarn",
          "Riverbend", "Northfield", "Ashgrove", "Tessel", "Lindqvist", "Cobb's Hollow", "Harcourt", "Millrace"]
THINGS = ["bridge", "ferry", "council", "central bank", "wildfire", "library", "tram line", "data breach",
          "harbour", "telescope", "hospital", "football club", "airport", "water main", "election", "strike"]
EVENTS = ["closes after inspection", "approves new budget", "raises interest rate", "forces evacuations",
          "reopens after renovation", "suspends service", "announces inquiry", "names new director",
          "reports record year", "faces protests", "delays opening", "cuts jobs"]
FIRST = ["Elena", "Tobias", "Priya", "Jonas", "Lucia", "Ines", "David", "Amara", "Odile", "Tomasz", "Ana", "Rafael"]
LAST = ["Voss", "Renning", "Halvorsen", "Falk", "Barranco", "Marwood", "Ashworth", "Quist", "Brask", "Wren",
        "Rudnik", "Dunmore", "Sollberg", "Lindgren"]
LANGS = ["en"] * 8 + ["de"] * 3 + ["fr"] * 3 + ["es"] * 2 + ["it", "nl", "pt", "pl"]
OUTLETS = [f"outlet{i:02d}.example" for i in range(60)]


def story_sizes(total: int, rng: random.Random) -> list[int]:
    """Heavy-tailed story sizes (Pareto, capped at 2,000) summing to ``total``."""
    sizes: list[int] = []
    left = total
    while left > 0:
        n = min(left, int(min(2000, rng.paretovariate(1.3))))
        sizes.append(max(n, 1))
        left -= sizes[-1]
    return sizes


def fill_store(db: Path, articles: int, seed: int = 1) -> dict[str, float]:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    start = 1_735_689_600  # 2025-01-01 UTC
    seq = 0
    story_ids = []
    with Store.open(db) as store:
        if store.counts()["articles"]:
            raise SystemExit(f"{db} already holds articles: pass an empty --db directory")
        with store.transaction():
            for k, size in enumerate(story_sizes(articles, rng)):
                sid = f"s{k:012x}"
                story_ids.append(sid)
                place, thing, event = rng.choice(PLACES), rng.choice(THINGS), rng.choice(EVENTS)
                people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(2)]
                names = json.dumps({"names": {place.lower(): 1.0, **{p.lower(): 1.0 for p in people}}})
                t_story = start + rng.randrange(365 * 86400)
                originals: list[str] = []
                rows = []
                for i in range(size):
                    seq += 1
                    aid = f"a{seq:07d}"
                    date = time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                         time.gmtime(t_story + int(rng.expovariate(1 / 86400)) if i else t_story))
                    copy = originals and rng.random() < 0.1
                    title = f"{place} {thing} {event}" + ("" if i == 0 else f" ({rng.choice(LAST)} reports)")
                    text = (f"{title}. {people[0]} said on Monday that the {thing} in {place} {event}. "
                            f"{people[1]} told reporters that {rng.randint(2, 900)} people were affected and that "
                            f"more details would follow. " * 3)
                    rows.append((seq, aid, title, text, date, rng.choice(OUTLETS), f"https://example.org/{aid}",
                                 rng.choice(LANGS), 0, f"bench:{seq}", f"h{seq}",
                                 rng.choice(originals) if copy else None, sid, 1.0 if copy else 0.8,
                                 None if copy else names, None, None, None, "bench"))
                    if not copy:
                        originals.append(aid)
                store.conn.executemany(
                    "INSERT INTO articles (seq, id, title, text, date, source, url, lang, summary_only, origin, "
                    "content_hash, duplicate_of, story_id, score, features, emb, minhash, raw, run) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        t1 = time.perf_counter()
        with store.transaction():
            store.refresh_stories(story_ids)
        t2 = time.perf_counter()
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"stories": len(story_ids), "load_s": t1 - t0, "refresh_s": t2 - t1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_clients(port: int, paths: list[str], clients: int) -> tuple[list[float], int, float]:
    """Send every path once over ``clients`` keep-alive connections; latencies in ms, errors, wall time."""
    todo = list(reversed(paths))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not todo:
                    break
                path = todo.pop()
            t = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                errors[0] += resp.status != 200
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors[0], time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=400, help="requests per scenario")
    ap.add_argument("--db", help="store directory to fill (default: a temporary one); reused if already filled")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object: p50/p95/p99 ms per scenario")
    args = ap.parse_args()
    say = (lambda *a, **k: None) if args.json else print

    tmp = None if args.db else tempfile.TemporaryDirectory(prefix="newsfold-bench-")
    db = Path(args.db or tmp.name) / "store"  # type: ignore[union-attr]
    if (db / "newsfold.sqlite").exists():
        with Store.read(db) as s:
            say(f"reusing {db}: {s.counts()}")
    else:
        info = fill_store(db, args.articles, args.seed)
        say(f"filled {db}: {args.articles} articles in {info['stories']} stories "
              f"(rows {info['load_s']:.1f}s, refresh_stories {info['refresh_s']:.1f}s)")
    with Store.read(db) as s:
        counts = s.counts()
        stories = [r[0] for r in s.conn.execute("SELECT id FROM stories")]
        largest = [r[0] for r in s.conn.execute("SELECT id FROM stories ORDER BY size DESC LIMIT 20")]
        sizes = [r[0] for r in s.conn.execute("SELECT size FROM stories ORDER BY size DESC LIMIT 20")]

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "newsfold.cli", "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/stats")
                break
            except OSError:
                time.sleep(0.1)
        rng = random.Random(args.seed)
        n = args.requests
        # Cursors deep into the list, collected first, so paging scenarios start at random depths.
        cursors: list[str] = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        cursor = None
        for _ in range(40):
            conn.request("GET", "/api/stories?limit=200" + (f"&cursor={cursor}" if cursor else ""))
            cursor = json.loads(conn.getresponse().read())["next_cursor"]
            if not cursor:
                break
            cursors.append(cursor)
        conn.close()
        words = [p.split()[0] for p in PLACES] + LAST

        def list_filters() -> str:
            f = rng.choice([{"lang": rng.choice(LANGS)}, {"outlet": rng.choice(OUTLETS)}, {"q": rng.choice(words)},
                            {"q": f"{rng.choice(PLACES).split()[0]} {rng.choice(THINGS).split()[0]}"},
                            {"date_from": "2025-06-01", "date_to": "2025-06-30"}, {"order": "largest"}])
            return urlencode(f)

        scenarios = {
            "list page (HTML, /)": ["/"] * n,
            "list page, filtered or searched (HTML)": [f"/?{list_filters()}" for _ in range(n)],
            "list (JSON, /api/stories)": ["/api/stories"] * n,
            "list, deep cursor pages (JSON)": [f"/api/stories?cursor={quote(rng.choice(cursors))}" for _ in range(n)]
            if cursors else [],
            "list, filtered or searched (JSON)": [f"/api/stories?{list_filters()}" for _ in range(n)],
            "story page, random story (HTML)": [f"/stories/{rng.choice(stories)}" for _ in range(n)],
            "story, random story (JSON)": [f"/api/stories/{rng.choice(stories)}" for _ in range(n)],
            "story page, 20 largest stories (HTML)": [f"/stories/{rng.choice(largest)}" for _ in range(n)],
        }
        run_clients(port, ["/", "/api/stories"] + [f"/stories/{s}" for s in stories[:50]], args.clients)  # warm-up
        say(f"\n{counts['articles']} articles, {counts['stories']} stories (largest {max(sizes)}); "
              f"{args.clients} concurrent clients on loopback; {os.cpu_count()} CPU cores seen; "
              f"one server process (uvicorn)\n")
        say(f"{'scenario':<42} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} {'errors':>6}")
        results: dict[str, dict[str, float]] = {}
        for name, paths in scenarios.items():
            if not paths:
                continue
            lat, errors, wall = run_clients(port, paths, args.clients)
            results[name] = {"p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1),
                             "p99_ms": round(pct(lat, 99), 1), "errors": errors}
            say(f"{name:<42} {len(lat):>8} {pct(lat, 50):>8.1f} {pct(lat, 95):>8.1f} {pct(lat, 99):>8.1f} "
                  f"{len(lat) / wall:>7.0f} {errors:>6}")
        if args.json:
            print(json.dumps({"articles": counts["articles"], "stories": counts["stories"], "scenarios": results}))
    finally:
        server.terminate()
        server.wait(20)
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
