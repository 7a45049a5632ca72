"""How cost per article, memory and query latency move as the store grows.

    cd bench && python scaling.py [--sizes 10000,100000] [--embedder use-m3] [--embed-sample 5000]
                                  [--dedup-sample 100000] [--per-day R] [--requests 300]
                                  [--plot ../docs/scaling.png] [--out scaling.json [--merge]]

For each size N: ``throughput.py --n N`` (the synthetic stream, full pipeline into a fresh store,
each in its own process so peak RSS is that run's), then ``api_latency.py`` against the store it
built (20 clients on loopback). ``--per-day`` gives the stream a fixed arrival rate (a larger N
covers a longer span); ``--merge`` keeps the rows of other sizes already in ``--out``, so sizes can
be run one at a time. Prints one row per size, writes all figures as JSON and, when
matplotlib is installed, draws them. Sizes run one after another: on a shared machine, run
nothing else beside it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LATENCY = {"story list (HTML)": "list page (HTML, /)", "story list (JSON)": "list (JSON, /api/stories)",
           "story page (HTML)": "story page, random story (HTML)"}


def run_json(*args: str) -> dict:
    out = subprocess.run([sys.executable, *args], cwd=HERE, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(n: int, args: argparse.Namespace, work: Path) -> dict:
    store = work / str(n) / "store"
    started, load_before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), os.getloadavg()
    extra = ["--per-day", str(args.per_day)] if args.per_day else []
    row = run_json("throughput.py", "--n", str(n), "--json", "--embedder", args.embedder, "--keep", str(store),
                   "--embed-sample", str(min(n, args.embed_sample)), "--dedup-sample", str(min(n, args.dedup_sample)),
                   *extra)
    load_after = os.getloadavg()
    lat = run_json("api_latency.py", "--db", str(store.parent), "--requests", str(args.requests), "--json")
    row["latency_p95_ms"] = {k: lat["scenarios"][v]["p95_ms"] for k, v in LATENCY.items()}
    row["started"] = started
    row["load_avg_1m_before_after"] = [round(load_before[0], 2), round(load_after[0], 2)]
    return row


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["n"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    axes[0].plot(ns, [r["pipeline_articles_per_s"] for r in rows], "o-", label="pipeline")
    if all("originals_per_s" in r for r in rows):
        axes[0].plot(ns, [r["originals_per_s"] for r in rows], "^-", label="pipeline, originals only")
    axes[0].plot(ns, [r["embed_only_articles_per_s"] for r in rows], "s--", label="embedding only")
    axes[0].set_ylabel("articles/s")
    axes[1].plot(ns, [r["peak_rss_mb"] for r in rows], "o-")
    axes[1].set_ylabel("peak RSS (MB)")
    for name in LATENCY:
        axes[2].plot(ns, [r["latency_p95_ms"][name] for r in rows], "o-", label=name)
    axes[2].set_ylabel("p95 latency (ms), 20 clients")
    rates = [r[k] for r in rows for k in ("pipeline_articles_per_s", "embed_only_articles_per_s")]
    for i, ax in enumerate(axes):
        ax.set_xscale("log")
        ax.set_xlabel("articles in the store")
        if i == 0 and max(rates) > 10 * min(rates):  # a cheap embedder's floor is far above the pipeline
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend()
    axes[2].legend(fontsize=8)
    rate = f", {rows[0]['per_day']:g} articles/day" if rows[0].get("per_day") else ""
    fig.suptitle(f"newsfold as the store grows ({rows[0]['embedder']}{rate}, bench/scaling.py)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated store sizes (default 10000,100000)")
    ap.add_argument("--embedder", default="use-m3")
    ap.add_argument("--embed-sample", type=int, default=5000, help="leads the embedding floor is timed on")
    ap.add_argument("--dedup-sample", type=int, default=100_000, help="articles copy detection alone is timed on")
    ap.add_argument("--per-day", type=float, help="fixed arrival rate of the stream (throughput.py --per-day)")
    ap.add_argument("--merge", action="store_true",
                    help="keep the rows already in --out for other sizes (to run one size at a time)")
    ap.add_argument("--requests", type=int, default=300, help="requests per latency scenario")
    ap.add_argument("--plot", type=Path, help="write a PNG of the figures here (needs matplotlib)")
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    ap.add_argument("--work", type=Path, help="keep the stores under this directory (default: temporary)")
    ap.add_argument("--replot", action="store_true", help="measure nothing: draw --plot from the rows in --out")
    args = ap.parse_args()
    if args.replot:
        plot(json.loads(args.out.read_text()), args.plot)
        print(f"plot: {args.plot}")
        return 0

    rows = []
    with tempfile.TemporaryDirectory(prefix="newsfold-scaling-") as tmp:
        work = args.work or Path(tmp)
        print(f"{'articles':>9} {'pipeline/s':>10} {'orig/s':>7} {'embed/s':>8} {'ratio':>6} {'RSS MB':>7} {'B/article':>9} "
              f"{'stories':>8}  p95 ms: list HTML / list JSON / story page", flush=True)
        for n in (int(s) for s in args.sizes.split(",")):
            r = measure(n, args, work)
            rows.append(r)
            lat = " / ".join(f"{v:.1f}" for v in r["latency_p95_ms"].values())
            print(f"{n:>9} {r['pipeline_articles_per_s']:>10} {r['originals_per_s']:>7} {r['embed_only_articles_per_s']:>8} "
                  f"{r['pipeline_to_embed_ratio']:>6} {r['peak_rss_mb']:>7.0f} {r['store_bytes_per_article']:>9} "
                  f"{r['stories']:>8}  {lat}", flush=True)
    if args.out:
        if args.merge and args.out.exists():
            done = {r["n"] for r in rows}
            rows = sorted([r for r in json.loads(args.out.read_text()) if r["n"] not in done] + rows,
                          key=lambda r: r["n"])
        args.out.write_text(json.dumps(rows, indent=1) + "\n")
    if args.plot:
        plot(rows, args.plot)
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
