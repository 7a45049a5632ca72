"""Quotations in an article and who said them, in English, German, Spanish and French.

A quotation is text between quote marks (“ ” " „ « » in any pairing, since outlets mix them) of
four words or more, or of two or more when the text attributes it. The speaker comes from the words
around it: ``"...," Pompeo said``, ``said Mayor X``, ``X, director of Y, said``, ``„...“, sagte X``,
``"...", dijo X``, ``« ... », a déclaré X``; a title ("the Secretary of State") or a surname ("Mr Wu")
is resolved to the full name the article gives elsewhere, a pronoun ("she said", "dijo") to the
person named last before it, and a paragraph that is only a quotation continues the previous speaker.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from . import text as T
from .entities import NOUN_CAPITALISING
from .segment import ABBREVIATIONS, word_count

_QUOTE = re.compile(r"([“\"„«‟])\s*([^“”\"„«»\n]+?)\s*([”\"“»])")
_TOKEN = re.compile(r"[^\W_][\w'’.\-]*|[,;:()\[\]–—]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")
_ATTRIBUTION_WORDS = 14  # how far past a quote its speaker may stand

SPEECH_VERBS = """
said says told tells advised advises suggests recommended recommends asserted asserts added adds declared declares assured noted notes wrote writes tweeted retweeted explained
explains insisted warned warns stated states announced argued argues claimed continued replied recalled stressed
urged called described acknowledged admitted cautioned observed remarked commented conceded vowed promised asked shouted
sagte sagt sagten erklärte erklärt betonte betont meinte meint fügte warnte warnt schrieb versprach kündigte teilte
räumte bekräftigte unterstrich so
dijo dice dijeron afirmó afirma aseguró asegura asegurado declaró declarado explicó explicado señaló señalado
añadió añadido contó contado indicó indicado advirtió advertido subrayó sostuvo relató insistió manifestó apuntó
dicho afirmado comentó recordó destacó según
déclaré déclare dit affirmé affirme ajouté ajoute expliqué explique indiqué indique souligné souligne assuré assure
lancé lance résumé résume estimé estime répété répète confié confie averti précisé précise martelé insisté prévenu rappelé
commenté selon
"""
# Verbs that attribute an opinion or a characterisation: a short quote ("called it „überzogen“") in a
# sentence with one of these (or a speech verb) is a quotation, not a scare quote.
OPINION_VERBS = """
called calls calling described describes describing termed dubbed labeled labelled branded denounced criticized
criticised praised accused deemed referred blasted slammed mocked suggested charged contended maintained predicted
quoted quoting cited saying telling writing asking adding arguing claiming promising insisting warning according
nannte nennt nannten bezeichnete bezeichnet bezeichneten sprach spricht sprachen kritisierte kritisiert forderte fordert
warf wirft lobte lobt beklagte beklagt attestiert attestierte bescheinigte zufolge laut verlangte verlangt befürchtet
befürchtete meldete meldet berichtete berichtet hieß
qualifié qualifie jugé juge dénoncé dénonce parlé évoqué évoque
calificó califica consideró considera denunció denuncia calificado habló
"""
PRONOUNS = "he she er sie il elle ella"
# Words that open or sit inside a title before a name: dropped from the speaker ("Mayor Elena Voss").
TITLES = """
mr mrs ms miss dr prof sir dame lord lady mayor president vice prime minister secretary state foreign governor
commissioner commander chief senator sen rep representative general gen colonel captain ambassador director
chairman chairwoman chair ceo spokesman spokeswoman spokesperson judge justice king queen prince princess pope
officer inspector superintendent sheriff councillor councilor opposition deputy acting former outgoing interim
head leader regional
herr frau bürgermeister bürgermeisterin präsident präsidentin ministerin kanzler kanzlerin direktor direktorin
chef chefin sprecher sprecherin kommandant kommandantin gouverneur gouverneurin
señor señora don doña presidente presidenta ministro ministra directora alcalde alcaldesa gobernador gobernadora
portavoz jefe jefa comandante consejero consejera
m mme mlle monsieur madame maire présidente ministre directeur directrice porte-parole commandante préfet préfète
premier provincial leiter leiterin vorsitzende vorsitzender the der die das el los le les
"""
# Capitalised words that mark a place or an organisation, never a person.
NOT_PERSON = """
street avenue road bridge wharf square hall river park station airport city house department ministry agency
bank council government administration university police party union court office news times post protection
civil navy army strait sea island county district region republic committee commission group company
straße brücke stadt regierung ministerium polizei rat protección civil gobierno ministerio ayuntamiento policía
guardia cruz roja consejo rue pont mairie gouvernement ministère conseil police protection line lines service
"""
COMMON_IDF = 2.0  # a word more frequent than this (zipf 5.5: "beim", "but", "sie") is no name
_JOINERS = frozenset({"of", "de", "del", "la", "le", "van", "von", "der", "da", "di", "du", "bin", "al"})
# German compounds end in a title: "Notenbankchef", "Bürgermeisterin".
_TITLE_SUFFIXES = ("chef", "chefin", "präsident", "präsidentin", "meister", "meisterin", "direktor", "direktorin",
                   "sprecher", "sprecherin", "minister", "ministerin", "leiter", "leiterin", "kommandant")


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str | None
    start: int  # offsets of the quoted words in the article text
    end: int


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int


def _tokens(text: str, offset: int = 0) -> list[_Tok]:
    return [_Tok(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN.finditer(text)]


def _fold(word: str) -> str:
    word = word.lower().strip(".").replace("’", "'")
    word = re.sub(r"'s$", "", word)
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _folded(words: str) -> frozenset[str]:
    return frozenset(_fold(w) for w in words.split())


SPEECH_VERBS_F = _folded(SPEECH_VERBS)
CUE_WORDS_F = SPEECH_VERBS_F | _folded(OPINION_VERBS)
PRONOUNS_F = _folded(PRONOUNS)
TITLES_F = _folded(TITLES)
NOT_PERSON_F = _folded(NOT_PERSON)
_TITLE_SUFFIXES_F = tuple(_fold(w) for w in _TITLE_SUFFIXES)


def _is_title(word: str) -> bool:
    f = _fold(word)
    return f in TITLES_F or (len(f) > 6 and f.endswith(_TITLE_SUFFIXES_F))


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper()


def _sequences(toks: list[_Tok]) -> list[list[_Tok]]:
    """Runs of capitalised words (joiners such as "de" allowed inside), in order."""
    runs: list[list[_Tok]] = []
    cur: list[_Tok] = []
    for i, t in enumerate(toks):
        if _is_cap(t.text):
            cur.append(t)
            if t.text.endswith(("’s", "'s")):  # a possessive ends the name
                runs.append(cur)
                cur = []
        elif cur and t.text.lower() in _JOINERS and i + 1 < len(toks) and _is_cap(toks[i + 1].text):
            cur.append(t)
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def strip_titles(words: list[str]) -> list[str]:
    """Everything after the last title word: "Taiwan Foreign Minister Joseph Wu" -> "Joseph Wu"."""
    last = -1
    for i, w in enumerate(words):
        if _is_title(w) or w.lower() in _JOINERS:
            last = i
    rest = words[last + 1:]
    while rest and rest[-1].lower() in _JOINERS:
        rest.pop()
    return [re.sub(r"['’]s$", "", w).rstrip(".") for w in rest]


class _People:
    """The people an article names in full, so a surname, title or pronoun can be resolved to one."""

    def __init__(self, text: str, lang: str, persons: Collection[str] | None = None) -> None:
        self.lang = lang or "en"
        # words of the names a recogniser (spaCy) labelled as people: a speaker must be made of them
        self.person_words = None if persons is None else {_fold(w) for p in persons for w in p.split()}
        self.full: list[str] = []
        self.by_last: dict[str, str] = {}
        self.by_role: dict[str, str] = {}
        for seq in _sequences(_tokens(text)):
            words = [t.text for t in seq]
            name = self._person(words, allow_single=False)
            if name and " " in name:
                self.by_last.setdefault(_fold(name.split()[-1]), name)
                self.full.append(name)
                role = [_fold(w) for w in words[: len(words) - len(name.split())]]
                if role:
                    self.by_role.setdefault(" ".join(role), name)

    def _person(self, words: list[str], allow_single: bool = True) -> str | None:
        """The person a run of capitalised words names, if any: "Fire Commissioner David Ashworth of
        Westreach Fire" -> "David Ashworth"; "Secretary of State Mike Pompeo" -> "Mike Pompeo"."""
        parts: list[list[str]] = [[]]
        for w in words:
            if w.lower() == "of":
                parts.append([])
            else:
                parts[-1].append(w)
        for i, part in enumerate(parts):
            if not part or (self.person_words is None and any(_fold(w) in NOT_PERSON_F for w in part)):
                continue  # without a recogniser, "Street", "Council", "Cruz Roja" mark no person
            name = strip_titles(part if i == 0 else ["of", *part])
            name = self._person_run(name)
            if not name or len(name) > 4 or any(w.isupper() and len(w) > 1 for w in name):  # US, UN, AP
                continue
            if len(name) == 1:
                known = self.by_last.get(_fold(name[0]))
                if known:
                    return known
                if allow_single and (self.person_words is not None or (
                        T.idf(_fold(name[0]), self.lang) >= T.RARE_IDF and self.lang not in NOUN_CAPITALISING)):
                    return name[0]  # a recogniser's person, or a rare word (a lone German noun is no name)
                continue
            if self.person_words is None and all(T.idf(_fold(w), self.lang) < 3.0 for w in name):
                continue  # "City Hall", "Old Quarter"; a recogniser knows "Robert Stone" is a person
            return " ".join(name)
        return None

    def _person_run(self, name: list[str]) -> list[str]:
        """The longest run of ``name`` that can be a person's name: words a recogniser labelled as a
        person's where there is one ("Bernie Sanders In" -> "Bernie Sanders", "New Hampshire" -> none),
        else words that are not among the language's most frequent ("Leichen Beim Flugzeug" -> none)."""
        if self.person_words is not None:
            ok = [_fold(w) in self.person_words for w in name]
        else:
            ok = [T.idf(_fold(w), self.lang) > COMMON_IDF or w.lower() in _JOINERS for w in name]
        best: list[str] = []
        start = 0
        for k in range(len(name) + 1):
            if k == len(name) or not ok[k]:
                if k - start > len(best):
                    best = name[start:k]
                start = k + 1
        return best

    def first_person(self, toks: list[_Tok], allow_single: bool = True) -> str | None:
        """The first full name in ``toks``; failing that, a known or rare surname (a lone capitalised
        word is more often a place: "Nordhaven", "Velmark")."""
        names = [self._person([t.text for t in seq]) for seq in _sequences(toks)]
        for who in names:
            if who and " " in who:
                return who
        if allow_single:
            for who in names:
                if who:
                    return self.by_last.get(_fold(who), who)
        return None

    def role(self, toks: list[_Tok]) -> str | None:
        """ "the Secretary of State" -> the person the article introduced with that title."""
        for seq in _sequences(toks):
            key = " ".join(_fold(t.text) for t in seq)
            for role, name in self.by_role.items():
                if role == key or role.endswith(" " + key):
                    return name
        return None


def _is_pronoun(tok: _Tok) -> bool:
    word = _fold(tok.text)
    return word in PRONOUNS_F or word.endswith(("-il", "-elle"))  # "a-t-il estimé"


def _is_verb(tok: _Tok, i: int, toks: list[_Tok]) -> bool:
    word = _fold(tok.text)
    if word not in SPEECH_VERBS_F or not tok.text[0].islower():
        return False
    return word != "so" or (i <= 1 and all(t.text == "," for t in toks[:i]))  # German ", so Voss"


def person_name(words: list[str], lang: str = "en") -> str | None:
    """The person a run of capitalised words names ("Bürgermeisterin Elena Voss" -> "Elena Voss"), or None
    for places, organisations, titles alone and common words."""
    return _People("", lang)._person(words, allow_single=False)


def _speaker_near(tail: list[_Tok], head: list[_Tok], people: _People) -> tuple[str | None, bool]:
    """(speaker, attributed): attributed is True when a speech verb ties the quote to someone,
    even if the speaker is a pronoun left for the caller to resolve (speaker None)."""
    verb = next((i for i, t in enumerate(tail[:_ATTRIBUTION_WORDS]) if _is_verb(t, i, tail)), None)
    if verb is not None:
        before, after = tail[:verb], tail[verb + 1: verb + 1 + _ATTRIBUTION_WORDS]
        who = people.first_person(before)
        if who:
            return who, True
        if any(_is_pronoun(t) for t in before):
            return None, True
        cut = next((i for i, t in enumerate(after) if t.text in {"(", "–", "—"}), len(after))
        after = after[:cut]
        if any(_is_pronoun(t) for t in after[:3]):
            return None, True
        who = people.first_person(after) or people.role(after) or people.role(before)
        return who, True
    verb = next((i for i in range(len(head) - 1, -1, -1) if _is_verb(head[i], 99, head)), None)
    # "X said: “...”", "Selon X, « ... »", "il avait lancé un avertissement : « ... »"
    if verb is not None and (len(head) - verb <= 5 or head[-1].text == ":"):
        if any(_is_pronoun(t) for t in head[max(0, verb - 3):verb]):
            return None, True
        who = people.first_person(head[:verb]) or people.first_person(head[verb + 1:])
        return who, True
    return None, False


def _cue(toks: list[_Tok]) -> int | None:
    """Index of the first speech or opinion verb in ``toks`` (lower-case, so not a name), if any."""
    return next((i for i, t in enumerate(toks) if t.text[0].islower() and _fold(t.text) in CUE_WORDS_F), None)


def _name_like(body: str) -> bool:
    """A title, a slogan or a name in quote marks ("Der Fänger im Roggen", "People's Power Party"): short,
    no sentence punctuation, and at least half its words capitalised from the first on."""
    words = [w for w in body.split() if any(c.isalpha() for c in w)]
    if not words or len(words) > 8 or any(c in body for c in ".!?,;:"):
        return False
    return words[0][0].isupper() and sum(w[0].isupper() for w in words) >= 0.5 * len(words)


def _sentence_end(text: str, pos: int) -> int:
    """End of the sentence that runs on from ``pos`` (an abbreviation's dot does not end it)."""
    for m in _SENTENCE_END.finditer(text, pos):
        word = text[max(pos, m.start() - 6):m.start()].split()[-1:] if m.group() != "\n" else []
        if word and _fold(word[0]) in ABBREVIATIONS:
            continue
        return m.end()
    return len(text)


def _last_person_before(text: str, pos: int, people: _People, sentences: int = 3) -> str | None:
    """The first person named in the nearest of the previous few sentences (the subject, usually)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    bounds = [0, *ends, pos]
    recent = [_tokens(text[bounds[k - 1]:bounds[k]]) for k in range(len(bounds) - 1, max(0, len(bounds) - 1 - sentences), -1)]
    for allow_single in (False, True):
        for toks in recent:
            who = people.first_person(toks, allow_single)
            if who:
                return who
    return None


def find_quotes(text: str, lang: str = "en", persons: Collection[str] | None = None) -> list[Quote]:
    """Quotations in ``text`` in order, each with its speaker where the text says who it is; ``persons``,
    the names a recogniser found as people in ``text``, restricts speakers to them."""
    people = _People(text, lang, persons)
    found: list[Quote] = []
    last_speaker: str | None = None
    last_para_end = -1
    for m in _QUOTE.finditer(text):
        body = m.group(2).strip(" ,")
        start = m.start(2)
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        tail_end = min(_sentence_end(text, m.end()), line_end)
        if m.group(2).rstrip()[-1:] in ".!?…" and text[m.end():tail_end].lstrip()[:1].isupper():
            tail_end = m.end()  # the quotation closed its sentence: what follows is the next one
        nxt = _QUOTE.search(text, m.end())
        if nxt and nxt.start() < tail_end:
            tail_end = nxt.start()
        prev_stop = max(text.rfind(". ", line_start, m.start()), line_start - 1)
        tail = _tokens(text[m.end():tail_end], m.end())
        head = _tokens(text[prev_stop + 1:m.start()], prev_stop + 1)
        speaker, attributed = _speaker_near(tail, head, people)
        if attributed and speaker is None:
            speaker = _last_person_before(text, m.start(), people)
        if not attributed:
            # a quote alone in its paragraph, or after an attributed one in the same paragraph, goes on
            # with the previous speaker
            alone = not text[line_start:m.start()].strip() and not text[m.end():line_end].strip(" .")
            same_para = last_para_end >= 0 and line_start <= last_para_end
            next_para = last_para_end >= 0 and not text[last_para_end:line_start].strip()
            if last_speaker and (same_para or (alone and next_para)) and word_count(body) >= 4:
                speaker, attributed = last_speaker, True
        words = word_count(body)
        if not attributed:
            # a speech or opinion verb elsewhere in the sentence: "Klose nannte seinen Platzverweis „überzogen“"
            sentence = head + _tokens(text[m.end():min(_sentence_end(text, m.end()), line_end)], m.end())
            cue = _cue(sentence)
            if cue is not None:
                attributed = True
                before, after = sentence[:cue], sentence[cue + 1:cue + 1 + _ATTRIBUTION_WORDS]
                speaker = people.first_person(before)
                if speaker is None and any(_is_pronoun(t) for t in before + after[:2]):
                    speaker = _last_person_before(text, m.start(), people)
                elif speaker is None:
                    speaker = people.first_person(after)
        if words < 1 or (words < 4 and not attributed) or (not attributed and _name_like(body)):
            continue  # scare quotes, titles of works, names, one-word ratings
        found.append(Quote(body, speaker, start, start + len(m.group(2).rstrip(" ,"))))
        if speaker:
            last_speaker = speaker
            last_para_end = line_end
    return found
