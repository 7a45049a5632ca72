"""Quality of the coverage comparison (``newsfold compare``) on the shared labelled data.

    python bench/coverage_quality.py [--json] [--only polnear|german|facts] [--sample N] [--half 0|1]

Every record goes through ``compare.compare_articles``, the function ``newsfold compare`` calls, after
the same normalisation (``normalize.normalize``), with the shipped defaults. Scoring rules:

- **Quotes** (one article at a time): a found quote matches a gold quote at >= 0.8 token overlap
  (shared tokens, as multisets, over the longer of the two); each gold and each found quote is
  matched at most once, best overlap first. P = matched / found, R = matched / gold.
- **Speakers**, over the matched quotes whose gold speaker span names a person (it has a *name
  word*: a capitalised word that is no pronoun, determiner or title, not all capitals, and in
  German, which capitalises every noun, never written after a determiner in the article): right
  when the found speaker shares a name word with the gold span, wrong when it shares none, missing
  when there is no speaker.
- **Facts** (article pairs): every found sentence or clause is placed on the gold sentence it lies
  in (most characters in common). A shared fact is right when its two versions are placed on a
  gold pair of translations; an item listed as unique to an article is right when it is placed on
  one of that article's gold unique sentences. R counts gold pairs (gold unique sentences) hit at
  least once. "whole shared as unique" counts gold shared sentences listed whole as unique.

``--sample N`` scores every k-th record (N in all) of each file; ``--half 0|1`` scores the records
whose id hashes to that half (to fit a threshold on one half and check it on the other).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from newsfold.compare import compare_articles
from newsfold.evaluation import load_jsonl, require_shared_data
from newsfold.model import Article
from newsfold.normalize import normalize

FILES = {"polnear": "coverage/quotes_polnear_dev.jsonl", "german": "coverage/quotes_german_dev.jsonl",
         "facts": "coverage/crossling_facts_dev.jsonl"}
QUOTE_OVERLAP = 0.8
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
NOT_NAME = frozenset("""
he she it they we i you who him her his them this that these those one someone somebody
the a an der die das den dem des ein eine einen einem einer eines er sie es man wer
mr mrs ms dr sen rep gov gen herr frau said sagte laut demnach
""".split())
DETERMINERS = frozenset("der die das den dem des ein eine einen einem einer eines".split())


def _article(rid: str, text: str, lang: str, title: str = "", date: str | None = None) -> Article:
    art = normalize(Article(id=rid, text=text, title=title, date=date, lang=lang, origin=rid))
    assert isinstance(art, Article), rid
    return art


def _norm(text: str) -> str:
    return " ".join(text.split())


def _toks(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def overlap(a: str, b: str) -> float:
    ta, tb = Counter(_toks(a)), Counter(_toks(b))
    n = max(sum(ta.values()), sum(tb.values()))
    return sum((ta & tb).values()) / n if n else 0.0


def _keep(records: list[dict], sample: int | None, half: int | None) -> list[dict]:
    if half is not None:
        records = [r for r in records if int(hashlib.sha1(r["id"].encode()).hexdigest(), 16) % 2 == half]
    if sample and sample < len(records):
        step = len(records) / sample
        records = [records[int(i * step)] for i in range(sample)]
    return records


# -- quotes and speakers -----------------------------------------------------------------------
def name_words(span: str | None, text: str, lang: str) -> set[str]:
    if not span:
        return set()
    out = set()
    for w in _TOKEN.findall(span):
        low = w.lower()
        if not w[0].isupper() or low in NOT_NAME or (w.isupper() and len(w) > 1):
            continue
        if lang == "de" and re.search(rf"\b(?:{'|'.join(DETERMINERS)})\s+{re.escape(w)}\b", text, re.IGNORECASE):
            continue  # "das Gericht", "der Staatsanwalt": a noun
        out.add(low)
    return out


def score_quotes(records: list[dict]) -> dict[str, Any]:
    found_n = gold_n = matched_n = 0
    speakers: Counter[str] = Counter()
    examples: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    t0 = time.monotonic()
    for r in records:
        art = _article(r["id"], r["text"], r["lang"], r.get("title", ""), r.get("date"))
        found = compare_articles([art]).quotes
        gold = r["quotes"]
        found_n += len(found)
        gold_n += len(gold)
        pairs = sorted(((overlap(f.text, g["text"]), i, j) for i, f in enumerate(found) for j, g in enumerate(gold)),
                       reverse=True)
        used_f: set[int] = set()
        used_g: set[int] = set()
        for ov, i, j in pairs:
            if ov < QUOTE_OVERLAP:
                break
            if i in used_f or j in used_g:
                continue
            used_f.add(i)
            used_g.add(j)
            matched_n += 1
            want = name_words(gold[j]["speaker"], art.text, r["lang"])
            if not want:
                continue
            got = found[i].speaker
            got_words = {w.lower() for w in _TOKEN.findall(got or "")}
            verdict = "missing" if not got else "right" if want & got_words else "wrong"
            speakers[verdict] += 1
            if verdict != "right":
                examples[verdict].append((gold[j]["speaker"], got))
    p = matched_n / found_n if found_n else 0.0
    rec = matched_n / gold_n if gold_n else 0.0
    n = sum(speakers.values()) or 1
    return {"articles": len(records), "quotes_gold": gold_n, "quotes_found": found_n, "quotes_matched": matched_n,
            "quote_p": p, "quote_r": rec, "quote_f1": 2 * p * rec / (p + rec) if p + rec else 0.0,
            "speakers_scored": sum(speakers.values()),
            "speaker_right": speakers["right"] / n, "speaker_wrong": speakers["wrong"] / n,
            "speaker_missing": speakers["missing"] / n, "seconds": time.monotonic() - t0,
            "_examples": {k: v[:25] for k, v in examples.items()}}


# -- cross-lingual facts ---------------------------------------------------------------------
class _Placer:
    """Gold sentences of one article as character spans of its (whitespace-collapsed) text."""

    def __init__(self, text: str, gold: list[str]) -> None:
        self.text = _norm(text)
        self.spans: list[tuple[int, int, int]] = []  # start, end, gold index
        for k, g in enumerate(gold):
            s = self.text.find(_norm(g))
            if s >= 0:
                self.spans.append((s, s + len(_norm(g)), k))
        self.gold = gold

    def place(self, piece: str) -> int | None:
        p = _norm(piece)
        s = self.text.find(p)
        if s < 0:  # not verbatim (a rebuilt text): the gold sentence with most tokens in common
            best = max(range(len(self.gold)), key=lambda k: overlap(p, self.gold[k]), default=None)
            return best if best is not None and overlap(p, self.gold[best]) > 0.3 else None
        e = s + len(p)
        best, most = None, 0
        for a, b, k in self.spans:
            common = min(b, e) - max(a, s)
            if common > most:
                best, most = k, common
        return best


def score_facts(records: list[dict]) -> dict[str, Any]:
    per_pair: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[str] = []
    t0 = time.monotonic()
    for r in records:
        c = per_pair[r["pair"]]
        a_art, b_art = r["articles"]
        arts = [_article(x["id"], x["text"], x["lang"]) for x in (a_art, b_art)]
        gold_shared = [tuple(p) for p in r["shared_pairs"]]
        gold = {a_art["id"]: [p[0] for p in gold_shared], b_art["id"]: [p[1] for p in gold_shared]}
        n_shared = len(gold_shared)
        for aid in gold:
            gold[aid] = gold[aid] + list(r["unique"].get(aid, []))
        placer = {x["id"]: _Placer(x["text"], gold[x["id"]]) for x in (a_art, b_art)}
        try:
            cov = compare_articles(arts)
        except Exception as exc:  # a crash scores the record as empty, and is counted
            errors.append(f"{r['id']}: {type(exc).__name__}: {exc}"[:200])
            cov = None
        c["shared_gold"] += n_shared
        c["unique_gold"] += sum(len(v) for v in r["unique"].values())
        c["records"] += 1
        if cov is None:
            c["crashed"] += 1
            continue
        hit_pairs: set[int] = set()
        for fact in cov.shared:
            c["shared_found"] += 1
            a_sent, b_sent = fact.versions.get(a_art["id"]), fact.versions.get(b_art["id"])
            ka = placer[a_art["id"]].place(a_sent) if a_sent else None
            kb = placer[b_art["id"]].place(b_sent) if b_sent else None
            if ka is not None and ka == kb and ka < n_shared:
                c["shared_right"] += 1
                hit_pairs.add(ka)
        c["shared_hit"] += len(hit_pairs)
        for aid, items in cov.unique.items():
            hit: set[int] = set()
            for item in items:
                c["unique_found"] += 1
                k = placer[aid].place(item)
                if k is not None and k >= n_shared:
                    c["unique_right"] += 1
                    hit.add(k)
                elif k is not None and _norm(item) == _norm(gold[aid][k]):
                    c["whole_shared_as_unique"] += 1
            c["unique_hit"] += len(hit)
    total: Counter[str] = Counter()
    for c in per_pair.values():
        total.update(c)
    out = _fact_figures(total)
    out.update(seconds=time.monotonic() - t0, errors=errors[:10],
               by_pair={k: _fact_figures(v) for k, v in sorted(per_pair.items())})
    return out


def _prf(right: int, found: int, hit: int, gold: int) -> tuple[float, float, float]:
    p = right / found if found else 0.0
    r = hit / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _fact_figures(c: Counter[str]) -> dict[str, Any]:
    sp, sr, sf = _prf(c["shared_right"], c["shared_found"], c["shared_hit"], c["shared_gold"])
    up, ur, uf = _prf(c["unique_right"], c["unique_found"], c["unique_hit"], c["unique_gold"])
    return {"records": c["records"], "crashed": c["crashed"], "shared_gold": c["shared_gold"],
            "shared_p": sp, "shared_r": sr, "shared_f1": sf, "unique_p": up, "unique_r": ur, "unique_f1": uf,
            "whole_shared_as_unique": c["whole_shared_as_unique"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", choices=list(FILES), action="append")
    ap.add_argument("--sample", type=int, default=None, help="score this many records of each file, evenly spread")
    ap.add_argument("--half", type=int, choices=[0, 1], default=None)
    ap.add_argument("--examples", action="store_true", help="print speaker errors and crashes")
    args = ap.parse_args()
    data = require_shared_data()
    results: dict[str, Any] = {}
    for name in args.only or list(FILES):
        records = _keep(load_jsonl(data / FILES[name]), args.sample, args.half)
        results[name] = score_facts(records) if name == "facts" else score_quotes(records)
    if args.json:
        print(json.dumps({k: {x: y for x, y in v.items() if not x.startswith("_")} for k, v in results.items()},
                         indent=1))
        return 0
    for name, res in results.items():
        if name == "facts":
            print(f"facts ({res['seconds']:.0f} s)   pair   shared P/R/F1   unique P/R/F1   whole shared as unique")
            for pair, f in [*res["by_pair"].items(), ("all", res)]:
                print(f"  {pair:>6} ({f['records']:>3})  {f['shared_p']:.3f}/{f['shared_r']:.3f}/{f['shared_f1']:.3f}"
                      f"  {f['unique_p']:.3f}/{f['unique_r']:.3f}/{f['unique_f1']:.3f}  {f['whole_shared_as_unique']}"
                      + (f"  crashed {f['crashed']}" if f["crashed"] else ""))
            for e in res["errors"][:3] if args.examples else []:
                print("   ", e)
        else:
            print(f"{name} ({res['articles']} articles, {res['seconds']:.0f} s): quotes P/R/F1 "
                  f"{res['quote_p']:.3f}/{res['quote_r']:.3f}/{res['quote_f1']:.3f}; speakers right/wrong/missing "
                  f"{res['speaker_right']:.3f}/{res['speaker_wrong']:.3f}/{res['speaker_missing']:.3f} "
                  f"of {res['speakers_scored']}")
            if args.examples:
                for verdict, items in res["_examples"].items():
                    print(f"   {verdict}:", "; ".join(f"{g!r}->{p!r}" for g, p in items))
    return 0


if __name__ == "__main__":
    sys.exit(main())
