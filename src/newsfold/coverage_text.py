"""The readable form of a coverage comparison (``newsfold compare``, ``newsfold show --coverage``)."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .compare import Coverage

WIDTH = 100


def _wrap(text: str, indent: str, first: str = "") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent + first,
                         subsequent_indent=indent + " " * len(first))


def render(cov: Coverage) -> str:
    """Articles get short labels (A1, A2 ... in time order) so every list can say who reported what."""
    originals = [a for a in cov.articles if not a["duplicate_of"]]
    label = {a["id"]: f"A{i + 1}" for i, a in enumerate(originals)}
    for a in cov.articles:
        if a["duplicate_of"]:
            label[a["id"]] = f"{label.get(a['duplicate_of'], '?')} copy"
    copies = len(cov.articles) - len(originals)
    outlets = len({a["source"] or a["id"] for a in originals})
    lines = [f"Coverage of {len(originals)} article{'s' if len(originals) != 1 else ''}"
             + (f" (+{copies} cop{'ies' if copies != 1 else 'y'})" if copies else "")
             + f" from {outlets} outlet{'s' if outlets != 1 else ''}", ""]
    for a in cov.articles:
        when = (a["date"] or "undated")[:16].replace("T", " ")
        mark = f"  copy of {a['duplicate_of']}" if a["duplicate_of"] else ""
        lines.append(f"  {label[a['id']]:<8} {when:<17} {a['source'] or '-':<26} {a['lang'] or '-':<3} {a['id']}{mark}")

    def who(ids: list[str] | tuple[str, ...]) -> str:
        return "[" + " ".join(label.get(i, i) for i in ids) + "]"

    lines += ["", f"Reported by several outlets ({len(cov.shared)}):"]
    lines += [_wrap(f.text, "  ", f"{who(f.articles)} ") for f in cov.shared] or ["  (none)"]
    lines += ["", "Only one outlet reports:"]
    for a in originals:
        items = cov.unique.get(a["id"], [])
        if items:
            lines.append(f"  {label[a['id']]} {a['source'] or a['id']}:")
            lines += [_wrap(t, "    ", "- ") for t in items]
    lines += ["", f"Quotes ({len(cov.quotes)}):"]
    for q in cov.quotes:
        lines.append(_wrap(f"“{q.text}” — {q.speaker or 'speaker not named'}", "  ", f"{who(q.articles)} "))
    lines += ["", "Named entities:"]
    for a in originals:
        names = ", ".join(e["name"] for e in a.get("entities", [])[:10]) or "-"
        lines.append(_wrap(names, "  ", f"{label[a['id']]:<4}"))
        if a.get("entities_only_here"):
            lines.append(_wrap(", ".join(a["entities_only_here"]), "      ", "only here: "))
    lines += ["", "Timeline:"]
    for t in cov.timeline:
        when = (t["date"] or "undated")[:16].replace("T", " ")
        head = f"  {when:<17} {label[t['id']]:<8} {t['source'] or '-'}"
        if t["duplicate_of"]:
            lines.append(f"{head}: copy of {label.get(t['duplicate_of'], t['duplicate_of'])}, adds nothing")
        elif t["first"]:
            lines.append(f"{head}: first report ({t['facts']} sentences)")
        else:
            lines.append(f"{head}: added {len(t['added'])}")
            lines += [_wrap(x["text"], "      ", "+ ") for x in t["added"]]
    return "\n".join(lines) + "\n"
