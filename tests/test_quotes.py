"""Quotations and speakers (quotes.py), sentence and clause spans (segment.py), entities (entities.py).

Every text here was written for these tests; the people and places are invented.
"""
from __future__ import annotations

import pytest

from newsfold.entities import article_entities, spacy_model
from newsfold.quotes import find_quotes
from newsfold.segment import clause_spans, sentence_spans

HARBOUR = """Harbour Minister Ilse Varga visited the damaged quay at Lennick on Tuesday.

"The repairs start on Monday and will take six weeks," Ms Varga said in a statement.

Port Director Marek Osei said the harbour would stay closed. "We have nothing to hide," said the Port Director. \
"Every inspection report will be published."

Councillor Nadia Ferre criticised the timetable. "This is far too late for the fishing fleet," she said.

"Our boats have been stuck for a month," said Pietro Lanza, who runs a trawler from the east pier.

"The wall has been failing for years and everybody knew it."

The council had rated the wall "fair" in its last survey, and called it "a matter for later".

Foreign Minister Anders Lund welcomed the plan. "I am grateful for the quick decision," Mr Lund said in a retweet."""


@pytest.fixture(scope="module")
def harbour() -> dict[str, str | None]:
    return {q.text: q.speaker for q in find_quotes(HARBOUR, "en")}


@pytest.mark.parametrize(("quote", "speaker"), [
    ("The repairs start on Monday and will take six weeks", "Ilse Varga"),  # "Ms Varga said in a statement"
    ("We have nothing to hide", "Marek Osei"),  # "said the Port Director": a title resolved to its person
    ("Every inspection report will be published.", "Marek Osei"),  # continues in the same paragraph
    ("This is far too late for the fishing fleet", "Nadia Ferre"),  # "she said"
    ("Our boats have been stuck for a month", "Pietro Lanza"),  # "said X, who ..."
    ("The wall has been failing for years and everybody knew it.", "Pietro Lanza"),  # a quote-only paragraph
    ("I am grateful for the quick decision", "Anders Lund"),  # "Mr Lund said in a retweet"
])
def test_english_speakers(harbour: dict[str, str | None], quote: str, speaker: str) -> None:
    assert harbour[quote] == speaker


def test_short_quotes_inside_an_attribution(harbour: dict[str, str | None]) -> None:
    # "rated ... and called it": the council's words, even one of them; the council is no person
    assert "fair" in harbour and harbour["fair"] is None
    assert "a matter for later" in harbour and harbour["a matter for later"] is None


@pytest.mark.parametrize(("text", "lang"), [
    ('The so-called "experts" stayed at home while the quay was repaired.', "en"),
    ('On the ferry, Ilse Varga read "The Harbour at Night Again" for the third time.', "en"),
    ("Im Hafen las Talia Brenn den Roman „Der Wächter am Kai“ zu Ende.", "de"),
    ("Die Partei „Liga für den Neuen Hafen“ trat zum ersten Mal an.", "de"),
])
def test_scare_quotes_titles_and_names_are_not_quotations(text: str, lang: str) -> None:
    assert find_quotes(text, lang) == []


def test_speakers_are_people_a_recogniser_names() -> None:
    text = ('Senator Ilse Varga spoke in Port Lennick on Monday. "The harbour must reopen before the winter," '
            'Varga told voters in Port Lennick. In Westreach Harbour "we will keep fighting for the fleet," she said.')
    quotes = find_quotes(text, "en", persons=["Ilse Varga"])
    assert [q.speaker for q in quotes] == ["Ilse Varga", "Ilse Varga"]
    # without a recogniser, a place is taken for a speaker no more than with one
    assert all(q.speaker != "Westreach Harbour" for q in find_quotes(text, "en", persons=[]))


@pytest.mark.parametrize(("text", "lang", "quote"), [
    ("„Wir öffnen den Hafen erst, wenn die Mauer sicher ist“, sagte Bürgermeisterin Talia Brenn.", "de",
     "Wir öffnen den Hafen erst, wenn die Mauer sicher ist"),
    ("Talia Brenn sagte: „Der Hafen bleibt geschlossen, bis alles geprüft ist.“", "de",
     "Der Hafen bleibt geschlossen, bis alles geprüft ist."),
    ('"No vamos a reabrir el puerto hasta que sea seguro", dijo la alcaldesa Talia Brenn en Lennick.', "es",
     "No vamos a reabrir el puerto hasta que sea seguro"),
    ('La alcaldesa Talia Brenn visitó el muelle. "No vamos a reabrir el puerto hasta que sea seguro", dijo.', "es",
     "No vamos a reabrir el puerto hasta que sea seguro"),
    ("« Nous ne rouvrirons pas le port avant que le mur soit sûr », a déclaré la maire Talia Brenn.", "fr",
     "Nous ne rouvrirons pas le port avant que le mur soit sûr"),
    ("La maire Talia Brenn a visité le port. « Nous paierons les réparations sans attendre », a-t-elle affirmé.",
     "fr", "Nous paierons les réparations sans attendre"),
])
def test_speakers_in_german_spanish_french(text: str, lang: str, quote: str) -> None:
    found = find_quotes(text, lang)
    assert [(q.text, q.speaker) for q in found] == [(quote, "Talia Brenn")]
    assert text[found[0].start:found[0].end] == quote


def test_sentence_spans_keep_abbreviations_initials_and_ordinals_whole() -> None:
    text = ('Mr. Lund met John S. Varga at 6 a.m. to talk. The quay opens on the 2. April "if all goes well." '
            "It was shut at 6 a.m. Pedestrians walked.\nA new line starts a sentence.")
    assert [s.text for s in sentence_spans(text)] == [
        "Mr. Lund met John S. Varga at 6 a.m. to talk.",
        'The quay opens on the 2. April "if all goes well."',
        "It was shut at 6 a.m.",
        "Pedestrians walked.",
        "A new line starts a sentence.",
    ]
    assert all(text[s.start:s.end] == s.text for s in sentence_spans(text))


def test_clause_spans_join_short_pieces() -> None:
    sentence = "On Friday, the council approved the repair, a decision that angered the fishing fleet."
    assert [c.text for c in clause_spans(sentence)] == [
        "On Friday, the council approved the repair", "a decision that angered the fishing fleet."]


def test_entities_without_a_model_come_from_capitalised_names() -> None:
    names = [e.name for e in article_entities(HARBOUR, "en", use_spacy=False)]
    assert {"Ilse Varga", "Marek Osei", "Nadia Ferre", "Lennick"} <= set(names)
    german = "Bürgermeisterin Talia Brenn besuchte am Dienstag den Hafen von Lennick. Die Stadt prüft die Mauer."
    names = [e.name for e in article_entities(german, "de")]
    assert "Talia Brenn" in names and "Stadt" not in names  # German nouns are capitalised, not names


def test_entities_with_spacy_have_labels() -> None:
    if spacy_model() is None:
        pytest.skip("spaCy with en_core_web_sm is not installed (pip install 'newsfold[ner]')")
    ents = {e.name: e.label for e in article_entities(HARBOUR, "en")}
    assert ents.get("Ilse Varga") == "PERSON"
    assert ents.get("Lennick") in {"GPE", "LOC", "ORG", "FAC"}
