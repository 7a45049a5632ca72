"""Ingest rate of a crawl: write a WARC of N generated news pages, ingest it, print pages per second.

    .venv/bin/python bench/ingest_warc.py            # 10,000 pages
    .venv/bin/python bench/ingest_warc.py -n 2000    # a quicker run

The pages are written by this script: invented events (a dozen kinds) in invented places, each
reported by several invented outlets in their own words and numbers, with site navigation and
footers around the article, a request record before every response (as crawlers write them) and
a few redirects, 404s and images. Two figures are printed: the WARC reader alone (HTML extraction,
in this process) and the whole ``newsfold ingest`` (extraction, copy detection, embedding, linking,
store) in a fresh store, timed around the real command.
"""
from __future__ import annotations

import argparse
import html
import io
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SYLLABLES = ["bar", "ven", "dor", "kel", "mira", "tos", "lin", "gar", "eth", "holm", "vik", "sand", "ber", "ros",
             "tal", "mer", "quin", "ast", "lor", "fen", "brid", "wick", "ost", "ley"]
FIRST = ["Anna", "Tomas", "Ingrid", "Rafael", "Mei", "Oskar", "Lucia", "Henrik", "Amara", "Pavel", "Noor", "Elena",
         "Jonas", "Farah", "Marek", "Selma", "Ivo", "Greta", "Samuel", "Yara"]
ROLES = ["mayor", "police spokesperson", "fire chief", "minister", "chief executive", "union leader",
         "head of the council", "lead investigator", "harbour master", "club chairman", "court spokesperson"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Each kind of event: headline forms and sentences with slots; outlets pick and word them differently.
EVENTS = {
    "fire": (["Fire destroys {thing} in {place}", "{place} {thing} gutted by overnight blaze",
              "Hundreds evacuated as fire sweeps through {place} {thing}"],
             ["A fire broke out at the {thing} in {place} on {day} night and burned for {n} hours.",
              "{count} people were evacuated from nearby buildings, the {role} said.",
              "Firefighters from {n2} stations fought the blaze; the cause is not yet known.",
              "Damage is estimated at {money} million crowns.",
              "Nobody was seriously injured, according to {person}."]),
    "election": (["{person} wins {place} mayoral race", "{place} elects {person} as mayor by {n} votes",
                  "Close count hands {place} town hall to {person}"],
                 ["{person} won the mayoral election in {place} on {day} with {pct} percent of the vote.",
                  "Turnout was {pct2} percent, the highest in {n} years.",
                  "The outgoing {role} conceded shortly after midnight.",
                  "{person} promised to build {count} new homes and reopen the {thing}."]),
    "strike": (["{place} {thing} workers walk out over pay", "Strike halts {thing} in {place}",
                "No deal in sight as {place} strike enters day {n}"],
               ["Workers at the {thing} in {place} went on strike on {day}, demanding a pay rise of {pct} percent.",
                "The {role}, {person}, said talks had broken down after {n} rounds.",
                "About {count} staff joined the walkout, the union said.",
                "Management offered {pct2} percent and called the demand unaffordable."]),
    "flood": (["Floods cut off {place} after record rain", "River bursts its banks in {place}",
               "{place} counts the cost of flooding"],
              ["Heavy rain caused the river to burst its banks in {place} on {day}, flooding {count} homes.",
               "{n} centimetres of rain fell in {n2} hours, the weather service said.",
               "The {role}, {person}, asked residents to stay away from the {thing}.",
               "Emergency shelters opened in {n2} schools."]),
    "court": (["Court rules against {place} {thing} plan", "Judges block {thing} project in {place}",
               "{place} loses appeal over {thing}"],
              ["The regional court on {day} annulled the permit for the {thing} in {place}.",
               "Judges found that the environmental study had ignored {n} protected species.",
               "{person}, the {role}, said the town would study the ruling before deciding whether to appeal.",
               "The project had been expected to cost {money} million crowns."]),
    "merger": (["{org} to buy {org2} for {money} million", "{org} and {org2} agree merger",
                "Deal creates {place}'s biggest {thing} operator"],
               ["{org} agreed on {day} to buy its rival {org2} for {money} million crowns.",
                "The combined company will employ about {count} people, mostly in {place}.",
                "{person}, the {role}, said no jobs would be cut in the first {n} years.",
                "Shares in {org2} rose {pct} percent on the news."]),
    "storm": (["Storm leaves {count} homes without power in {place}", "Gales batter {place}",
               "{place} clears up after storm"],
              ["Winds of up to {n}0 kilometres an hour hit {place} on {day}, bringing down trees and power lines.",
               "About {count} homes lost power; {pct} percent had it back by the evening.",
               "The {role}, {person}, said the {thing} would stay closed until engineers had checked it.",
               "Ferries and trains were cancelled for {n2} hours."]),
    "science": (["{place} researchers find {thing} in ancient lake bed",
                 "Discovery at {place} dig surprises scientists",
                 "{org} team reports {thing} find near {place}"],
                [("Researchers from {org} said on {day} they had found a {thing} buried {n} metres under a dry lake "
                 "near {place}."), "Tests suggest it is about {count} years old.",
                 "{person}, who led the dig, called it the find of a career.",
                 "The results will be published in {n2} weeks."]),
    "sport": (["{place} Rovers win the cup after {n} years", "Cup glory for {place}",
               "{person} scores twice as {place} lift the cup"],
              ["{place} Rovers won the national cup final on {day}, beating {org2} {n2}-{n3}.",
               "{person} scored twice in the second half in front of {count} fans.",
               "It is the club's first cup since {year}.", "The {role} said the team would parade through the town."]),
    "transport": (["{place} opens new {thing}", "First trains run on {place} {thing}",
                   "Delays and cheers as {place} {thing} opens"],
                  ["The new {thing} in {place} opened to passengers on {day} after {n} years of building.",
                   "It cost {money} million crowns, {pct} percent more than planned.",
                   "{person}, the {role}, said it would carry {count} passengers a day.",
                   "Early riders reported delays of up to {n2} minutes."]),
    "health": (["Outbreak closes {count} schools in {place}", "{place} hospital under strain as virus spreads",
                "Health officials act on {place} outbreak"],
               ["Health officials in {place} closed {n} schools on {day} after an outbreak of stomach virus.",
                "About {count} cases have been reported since last week.",
                "The {role}, {person}, urged people to wash their hands and stay home if ill.",
                "The {thing} will be disinfected before it reopens."]),
    "budget": (["{place} council cuts {thing} budget", "{place} budget: {pct} percent less for {thing}",
                "Protests as {place} trims spending"],
               ["The council of {place} voted on {day} to cut the {thing} budget by {pct} percent.",
                "The cut saves {money} million crowns a year, the {role} said.",
                "{person} warned that {count} posts could go.", "The vote passed by {n} to {n2}."]),
}
THINGS = ["harbour warehouse", "old mill", "tram depot", "paper factory", "city library", "ferry terminal",
          "bus station", "concert hall", "water works", "ring road", "cable car", "market hall", "ship yard",
          "bronze-age boat", "mammoth tusk", "stone tablet", "sports centre", "railway tunnel"]
# Details particular to one event, shared by the outlets that report it: what keeps two events of the
# same kind apart, as the particulars of real events do.
NOUNS = ["warehouse", "pier", "orchard", "quarry", "chapel", "viaduct", "granary", "lighthouse", "tannery",
         "brewery", "foundry", "sawmill", "reservoir", "tunnel", "marina", "greenhouse", "observatory", "abbey",
         "garrison", "canal lock", "printing works", "salt mine", "ice rink", "velodrome", "aqueduct", "signal box",
         "customs house", "rope walk", "fish market", "glassworks", "distillery", "dry dock", "windmill", "tram shed"]
ADJECTIVES = ["disused", "listed", "newly built", "century-old", "privately owned", "council-run", "derelict",
              "restored", "temporary", "flood-damaged", "converted", "unfinished", "historic", "leased"]
VERBS = ["sealed off", "inspected", "evacuated", "fenced", "closed", "searched", "surveyed", "guarded", "cleared",
         "rebuilt", "reopened", "valued", "insured", "sold"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
DETAILS = [
    "{witness} said the {adj} {noun} near the {noun2} had been {verb} since {month}.",
    "According to {witness}, {n} {noun}s in the {district} district were {verb} as a precaution.",
    "The {adj} {noun} on {street} Street, owned by {owner}, was {verb} the same afternoon.",
    "{owner} confirmed that the {noun2} would stay {verb} until at least {month}.",
    "In the {district} district, {witness} described the {noun} as {adj} and poorly lit.",
    "Photographs taken by {witness} show the {noun2} behind the {adj} {noun}.",
    "{owner} bought the {noun} in {month} for {n} thousand crowns, land records show.",
    "Neighbours on {street} Street said the {noun2} had been {verb} twice before.",
    "The {district} residents' association, led by {witness}, asked for the {noun} to be {verb}.",
    "{n} volunteers from {district} helped at the {noun2} through the night.",
]
FILLER = [
    "Residents said they had feared something like this for years.",
    "The story is developing and will be updated.",
    "Local businesses expect the effects to last for weeks.",
    "Opposition members called for an independent review.",
    "Photographs shared online showed long queues near the site.",
    "A public meeting is planned for next week at the town hall.",
    "Officials declined to give further details on {day}.",
    "Earlier this year the regional government promised more money for the area.",
]


def _name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _fill(template: str, facts: dict[str, str]) -> str:
    return template.format(**facts)


def make_events(n_events: int, rng: random.Random) -> list[dict]:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    events = []
    for _ in range(n_events):
        kind = rng.choice(sorted(EVENTS))
        events.append({
            "kind": kind,
            "date": start + timedelta(hours=rng.randint(0, 24 * 180)),
            "facts": {
                "place": _name(rng), "person": f"{rng.choice(FIRST)} {_name(rng)}", "role": rng.choice(ROLES),
                "org": f"{_name(rng)} Group", "org2": f"{_name(rng)} {rng.choice(['Holdings', 'United', 'AG'])}",
                "thing": rng.choice(THINGS), "day": rng.choice(DAYS), "year": str(rng.randint(1950, 2015)),
            },
            "details": [
                rng.choice(DETAILS).format(
                    witness=f"{rng.choice(FIRST)} {_name(rng)}", owner=f"{_name(rng)} {rng.choice(['Trust', 'Ltd'])}",
                    adj=rng.choice(ADJECTIVES), noun=rng.choice(NOUNS), noun2=rng.choice(NOUNS),
                    verb=rng.choice(VERBS), month=rng.choice(MONTHS), n=rng.randint(2, 30),
                    district=_name(rng), street=_name(rng, 3))
                for _ in range(6)
            ],
        })
    return events


def make_page(i: int, event: dict, outlet: str, rng: random.Random) -> tuple[str, bytes, datetime]:
    """One outlet's report of an event: its own headline, sentence choice and order, and its own numbers."""
    headlines, sentences = EVENTS[event["kind"]]
    facts = dict(event["facts"])
    facts.update(n=str(rng.randint(2, 40)), n2=str(rng.randint(2, 12)), n3=str(rng.randint(0, 5)),
                 count=f"{rng.randint(20, 9000):,}", pct=str(rng.randint(2, 60)), pct2=str(rng.randint(30, 90)),
                 money=str(rng.randint(2, 900)))
    title = _fill(rng.choice(headlines), facts)
    body = rng.sample(sentences, k=1) + rng.sample(event["details"], k=rng.randint(3, 5))
    body += rng.sample(FILLER, k=1)
    paragraphs, current = [], []
    for s in body:
        current.append(_fill(s, facts))
        if len(current) >= rng.randint(1, 3):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    published = event["date"] + timedelta(minutes=rng.randint(0, 60 * 48))
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    url = f"https://www.{outlet}/{published:%Y/%m}/{slug}-{i}"
    esc = html.escape
    doc = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)} | {outlet}</title>'
        f'<meta property="og:site_name" content="{outlet}"><link rel="canonical" href="{url}">'
        f'<meta property="article:published_time" content="{published.isoformat()}"></head><body>'
        f'<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>'
        f"<main><article><h1>{esc(title)}</h1>"
        + "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        + "</article></main><aside><h3>Most read</h3><ul><li>Weekend weather</li><li>Letters</li></ul></aside>"
        f"<footer>&copy; {outlet} · Privacy · Cookies</footer></body></html>"
    )
    return url, doc.encode("utf-8"), published


def write_crawl(path: Path, n_pages: int, seed: int) -> dict[str, int]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    outlets = [f"{_name(rng)}{rng.choice(['news', 'post', 'times', 'herald', 'wire'])}.example" for _ in range(40)]
    events = make_events(max(1, n_pages // 6), rng)
    counts = {"pages": 0, "other_records": 0}
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "newsfold bench/ingest_warc.py"}))
        counts["other_records"] += 1
        for i in range(n_pages):
            url, body, published = make_page(i, rng.choice(events), rng.choice(outlets), rng)
            date = (published + timedelta(hours=rng.randint(1, 72))).strftime("%Y-%m-%dT%H:%M:%SZ")
            host = url.split("/")[2]
            req = StatusAndHeaders(f"GET /{url.split('/', 3)[3]} HTTP/1.1", [("Host", host)], is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req,
                                                warc_headers_dict={"WARC-Date": date}))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                warc_headers_dict={"WARC-Date": date}))
            counts["pages"] += 1
            counts["other_records"] += 1
            if i % 50 == 0:  # the odd redirect, as in real crawls
                http = StatusAndHeaders("301 Moved Permanently", [("Location", url)], protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(url.replace("https://www.", "http://"), "response",
                                                    payload=io.BytesIO(b""), http_headers=http,
                                                    warc_headers_dict={"WARC-Date": date}))
                counts["other_records"] += 1
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--pages", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "ingest_warc"), help="work directory")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="passed to newsfold ingest")
    ap.add_argument("--reader-only", action="store_true", help="time the WARC reader only, not the whole ingest")
    args = ap.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    crawl = out / f"crawl-{args.pages}.warc.gz"
    t0 = time.monotonic()
    counts = write_crawl(crawl, args.pages, args.seed)
    print(f"wrote {crawl} ({crawl.stat().st_size / 1e6:.1f} MB): {counts['pages']} pages, "
          f"{counts['other_records']} other records, in {time.monotonic() - t0:.1f} s")

    sys.path.insert(0, str(ROOT / "src"))
    from newsfold.ingest.warc import read_warc
    from newsfold.model import Article

    t0 = time.monotonic()
    articles = skipped = 0
    for item in read_warc(crawl):
        if isinstance(item, Article):
            articles += 1
        else:
            skipped += 1
    reader_s = time.monotonic() - t0
    print(f"reader alone: {articles} articles, {skipped} records skipped, in {reader_s:.1f} s "
          f"= {articles / reader_s:.0f} pages/s")
    if args.reader_only:
        return 0

    db = out / f"store-{args.pages}"
    shutil.rmtree(db, ignore_errors=True)
    cmd = [sys.executable, "-m", "newsfold.cli", "ingest", str(crawl), "--db", str(db)]
    for s in args.set:
        cmd += ["--set", s]
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    t0 = time.monotonic()
    proc = subprocess.run(timer + cmd, capture_output=True, text=True)
    ingest_s = time.monotonic() - t0
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return proc.returncode
    print(proc.stdout.strip())
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    print(f"newsfold ingest: {counts['pages']} pages in {ingest_s:.1f} s = {counts['pages'] / ingest_s:.1f} pages/s"
          + (f", max RSS {int(rss.group(1)) / 1024:.0f} MB" if rss else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
