"""Page furniture (boilerplate.py) stays out of facts, entities and similarity reasons; sentences are
not cut at abbreviations. The texts are written for these tests; people and places are invented."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from newsfold.boilerplate import is_boilerplate, strip
from newsfold.compare import compare_articles
from newsfold.model import Article
from newsfold.segment import sentence_spans

# The fixed list: none of these may appear in a fact, an entity or a reason.
BOILERPLATE = ["Copyright 2026 The Lennick Courier", "All rights reserved", "Read More", "PA Image",
               "Newsletter Sign Up", "Live updates on", "Getty Images", "By Hanna Olsen", "Lesen Sie auch",
               "Foto: dpa", "Image caption", "Advertisement"]

COURIER = """By Hanna Olsen
Live updates on the Lennick quay collapse

The old quay wall at Lennick collapsed on Tuesday night after days of heavy rain, closing the harbour to all ships.
Read More
Harbour Minister Ilse Varga said the repairs would start on Monday and take six weeks.
Image caption The broken quay wall seen from the east pier (PA Image)
Dr. Marek Osei, the port engineer, told Drs. Lund and Ferre that the wall had been failing for years.
Newsletter Sign Up Continue
Fishermen from the east pier said their boats had been stuck in the harbour since the collapse.
Advertisement
Copyright 2026 The Lennick Courier. All rights reserved. This material may not be published, broadcast, \
rewritten or redistributed."""

HERALD = """Getty Images
The quay wall at Lennick gave way on Tuesday night after several days of heavy rain, and the harbour is closed to ships.
Read More
Minister Ilse Varga said that repairs would begin on Monday and last six weeks.
The harbour master, Tomas Brenn, said ferries would dock at Westreach until the quay reopens.
Lesen Sie auch: Der Hafen bleibt zu
© 2026 Harbour Herald"""


def _article(aid: str, text: str) -> Article:
    return Article(id=aid, text=text, title="", lang="en", source=aid)


@pytest.mark.parametrize("line", [
    "Copyright 2018 The Associated Press.", "All rights reserved.", "Read More", "READ MORE: Quay collapse",
    "PA Image", "Newsletter Sign Up Continue", "Live updates on the quay collapse", "By Hanna Olsen and Tomas Brenn",
    "Von Anna Berg", "Foto: dpa", "Image caption The broken wall (Getty Images)", "Lesen Sie auch: Der Hafen bleibt zu",
    "À lire aussi : le port reste fermé", "Leer más: el puerto sigue cerrado", "© 2026 Harbour Herald",
])
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "By Tuesday, the council had voted to close the quay.",
    "Related research shows that the wall was weak, according to a study by the council and two universities nearby.",
    "The EU copyright directive passed in 2019.",
    "Subscribers to the ferry service will get their money back, the harbour master said.",
])
def test_prose_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_strip_keeps_the_sentence_before_a_rights_notice() -> None:
    assert strip("The council met on Tuesday. Copyright 2018 The Associated Press. All rights reserved.") == \
        "The council met on Tuesday."
    assert strip("The mayor spoke to reporters (Photo: PA Image).") == "The mayor spoke to reporters."


def test_sentences_keep_abbreviations_of_each_language() -> None:
    assert [s.text for s in sentence_spans("The study by Drs. Lund and Ferre appeared. Mr. Osei agreed.", "en")] == [
        "The study by Drs. Lund and Ferre appeared.", "Mr. Osei agreed."]
    assert len(sentence_spans("Nach Art. 5 Abs. 3 ist das erlaubt. Dann ging er.", "de")) == 2
    assert len(sentence_spans("La Sra. Brenn llegó al puerto. Luego se fue.", "es")) == 2
    assert len(sentence_spans("MM. Lund et Ferre sont venus au port. Puis ils sont partis.", "fr")) == 2
    # Chinese and Japanese: a full-width stop ends a sentence with no space after it
    assert [s.text for s in sentence_spans("港口周二关闭。部长表示修复需要六周！", "zh")] == ["港口周二关闭。", "部长表示修复需要六周！"]
    assert len(sentence_spans("港は火曜日に閉鎖された。修理には六週間かかる。", "ja")) == 2


def _mentions_boilerplate(values: list[str]) -> list[str]:
    return [v for v in values for b in BOILERPLATE if b.lower() in v.lower()]


def test_no_boilerplate_in_facts_or_entities() -> None:
    cov = compare_articles([_article("courier", COURIER), _article("herald", HERALD)]).as_dict()
    facts = [f["text"] for f in cov["shared"]] + [u["text"] for us in cov["unique"].values() for u in us]
    entities = [e["name"] for a in cov["articles"] for e in a.get("entities", [])]
    assert facts and entities
    assert _mentions_boilerplate(facts) == []
    assert _mentions_boilerplate(entities) == []
    assert any("Drs. Lund and Ferre" in f for f in facts)  # one sentence, not cut at "Drs."
    assert any("collapsed" in f["text"] and len(f["articles"]) == 2 for f in cov["shared"])


def test_no_boilerplate_in_similarity_reasons(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"pair_id": "quay", "text1": COURIER, "text2": HERALD,
                                 "lang1": "en", "lang2": "en"}) + "\n")
    result = json.loads(run_cli("similarity", str(pairs), "--out", "-").stdout)
    assert result["reasons"]
    assert _mentions_boilerplate(result["reasons"]) == []
