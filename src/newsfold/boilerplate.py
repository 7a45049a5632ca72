"""What a page carries around an article that the article does not say: copyright lines, "Read more"
links, bylines, image credits, newsletter prompts, live-blog headers.

``strip(text)`` drops such lines and sentences (and credit brackets inside a caption line) before a
comparison, so that they are neither facts, nor names, nor reasons. The rules are by shape, in
English, German, French and Spanish: a line *opening* with a link or prompt phrase and short enough
to be nothing else, a sentence that claims copyright, a short line that is a name after "By"/"Von"/
"Par"/"Por" with no sentence end, a short line ending in a photo agency.
"""
from __future__ import annotations

import re

from .segment import sentence_spans, word_count

# A sentence saying any of these is a rights notice, wherever it stands.
_RIGHTS = re.compile(
    r"\bcopyright\s*(?:©|\(c\)|\d{4})|©|\(c\)\s*\d{4}|all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|may not be (?:re)?published,? broadcast|may not be published, broadcast",
    re.IGNORECASE)
# A short line or sentence opening with one of these is navigation, a prompt or a live-blog header.
_PROMPT = re.compile(
    r"^\W*(?:read more|read next|read also|also read|related(?: articles| coverage| stories)?\b\W|more on this"
    r"|see also|continue reading|click here|sign up|subscribe|newsletter|follow us|share (?:this|on)"
    r"|advertisement|sponsored|listen to (?:this|the) article|watch:|video:|live updates?|live:|live blog"
    r"|last updated|updated:|updated at|posted:|published:|image caption|media caption|image copyright"
    r"|(?:photo|image|picture|foto|bild)(?:\s+credit)?\s*:"
    r"|weiterlesen|lesen sie (?:auch|mehr)|mehr zum thema|mehr dazu|anzeige|werbung|liveticker|live-ticker"
    r"|zuletzt aktualisiert|aktualisiert am|lire aussi|à lire aussi|a lire aussi|lire la suite|publicité"
    r"|en direct|mis à jour|leer más|lea también|te puede interesar|publicidad|suscríbete|en vivo|en directo"
    r"|actualizado)(?!\w)", re.IGNORECASE)
PROMPT_WORDS = 15  # a line opening like a prompt but longer than this is prose ("Related research shows ...")
_BYLINE = re.compile(r"^(?:by|von|par|por)\s+[A-ZÀ-Þ][\w'’.\-]*(?:\s+(?:[A-ZÀ-Þ][\w'’.\-]*|and|und|et|y|,))*"
                     r"(?:\s*[,|/–-]\s*.*)?$", re.IGNORECASE)
BYLINE_WORDS = 10
_AGENCY = (r"(?:getty images|afp|reuters|ap photo|associated press|pa images?|pa wire|pa media|dpa|epa|"
           r"shutterstock|imago|picture alliance|anadolu|xinhua|efe)")
_CREDIT_LINE = re.compile(rf"{_AGENCY}\W*$", re.IGNORECASE)
CREDIT_WORDS = 12
# "(Photo: PA Image)", "(AP Photo/Jane Doe)", "(Getty Images)" inside a caption or a sentence
_CREDIT_BRACKET = re.compile(rf"\s*[(\[](?:(?:photo|image|picture|foto|bild)\b[^)\]]*|[^)\]]*{_AGENCY}[^)\]]*)[)\]]",
                             re.IGNORECASE)


def is_boilerplate(line: str) -> bool:
    """True for a line (or sentence) that is page furniture rather than article."""
    s = line.strip()
    if not s:
        return False
    words = word_count(s)
    if _RIGHTS.search(s):
        return True
    if words <= PROMPT_WORDS and _PROMPT.match(s):
        return True
    if words <= BYLINE_WORDS and s[-1] not in ".!?…\"”»:" and _BYLINE.match(s):
        return True
    return words <= CREDIT_WORDS and bool(_CREDIT_LINE.search(s)) and s[-1] not in ".!?…\"”»"


def strip(text: str, lang: str = "") -> str:
    """``text`` without its boilerplate lines and sentences (paragraph breaks kept)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _CREDIT_BRACKET.sub("", line)
        spans = sentence_spans(line, lang)
        kept = [s.text for s in spans if not is_boilerplate(s.text)]
        if len(kept) == len(spans):
            out.append(line)
        elif kept:
            out.append(" ".join(kept))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
