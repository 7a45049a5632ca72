"""An invented stream that tempts a linker to chain: one politician in ten different events a month apart.

Every article names Governor Maren Holloway of Calveria and her capital Velden, so names, places and
the general subject are shared across all ten events; what differs is what happened. Each event is
reported by three outlets within a day, in different words. Written for the tests; no real text.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

OUTLETS = ("velden-courier.example", "calveria-post.example", "northwire.example")

# (event key, headline facts, what happened: three phrasings, details shared by the reports)
EVENTS = [
    ("budget-veto", "vetoes the 2027 state budget",
     ["Governor Maren Holloway vetoed the 2027 state budget on Monday, saying the 41 billion crown plan left "
      "the pension fund short by 900 million.",
      "Calveria's budget is dead for now: Governor Maren Holloway refused to sign the 41 billion crown spending "
      "bill, objecting to a 900 million gap in pension contributions.",
      "Holloway struck down the legislature's 41 billion crown budget, the first veto of a full budget in Velden "
      "since 1998, over a pension shortfall of 900 million."],
     "Assembly speaker Tomas Reinholt called the veto reckless and said lawmakers would try to override it."),
    ("flood-visit", "visits flooded Marsh county",
     ["Governor Maren Holloway toured flooded towns in Marsh county on Tuesday after the Orva river rose 3.2 "
      "metres and forced 6,000 people from their homes.",
      "Wading through water in Lindau, Holloway promised emergency aid to the 6,000 residents driven out when "
      "the Orva burst its banks.",
      "The Orva flood has displaced 6,000 people in Marsh county; Holloway visited Lindau and Ostrand and declared "
      "a state of emergency."],
     "Rescue crews pulled 37 people from rooftops overnight, said fire chief Annika Straub."),
    ("trade-trip", "signs a port deal in Kessaria",
     ["On a trade mission to Kessaria, Governor Maren Holloway signed a 2.4 billion crown agreement to expand the "
      "container port at Brisa.",
      "Holloway's visit to Kessaria ended with a port deal: Calveria will put 2.4 billion crowns into new berths "
      "at Brisa harbour.",
      "The governor and Kessarian trade minister Idris Malouf agreed in Brisa on a 2.4 billion crown port "
      "expansion meant to double container traffic."],
     "The first berths are due to open in 2029, Malouf said."),
    ("debate", "debates challenger Ruben Castell",
     ["Governor Maren Holloway and her challenger Ruben Castell clashed over housing costs in a televised debate "
      "at Velden University on Thursday night.",
      "Ruben Castell accused Holloway of letting rents rise 18 percent during her term, in the first of three "
      "debates before the November vote.",
      "Housing dominated the 90-minute debate in Velden, where Castell and Holloway traded blame for an 18 percent "
      "rise in rents."],
     "A snap poll after the debate gave Castell 47 percent and Holloway 44 percent."),
    ("hospital", "opens the Sankt Ilse children's hospital",
     ["Governor Maren Holloway opened the new Sankt Ilse children's hospital in Velden, a 320-bed building that "
      "cost 780 million crowns.",
      "The 320-bed Sankt Ilse hospital for children admitted its first patients after Holloway cut the ribbon on "
      "Saturday.",
      "Velden's children's hospital, Sankt Ilse, opened four years late and 780 million crowns over its first "
      "budget, Holloway acknowledged at the ceremony."],
     "Chief physician Lena Vogt said 45 specialists had been hired from abroad."),
    ("strike", "settles the teachers' strike",
     ["A nine-day teachers' strike in Calveria ended after Governor Maren Holloway agreed to a 7 percent pay rise "
      "for 52,000 teachers.",
      "Schools reopen on Monday: the teachers' union accepted Holloway's offer of 7 percent more pay, ending a "
      "walkout that closed 1,400 schools.",
      "Union leader Piet Markov signed the deal with Holloway that lifts teachers' pay by 7 percent and ends the "
      "nine-day strike."],
     "The settlement adds 310 million crowns a year to the education budget."),
    ("scandal", "fires aide Oskar Lind over contracts",
     ["Governor Maren Holloway fired her chief of staff Oskar Lind after auditors found 12 road contracts awarded "
      "without tenders.",
      "Oskar Lind, Holloway's closest aide, was dismissed over untendered road contracts worth 64 million crowns.",
      "The audit office said 12 contracts worth 64 million had skipped tendering; Holloway dismissed Lind hours "
      "later."],
     "Prosecutors in Velden said they had opened an inquiry."),
    ("wildfire", "orders evacuations as fires spread",
     ["Governor Maren Holloway ordered 14 villages evacuated as wildfires burned 8,500 hectares of forest in the "
      "Tarn hills.",
      "Fires in the Tarn hills have destroyed 8,500 hectares; Holloway sent in the national guard and cleared 14 "
      "villages.",
      "About 9,000 residents left 14 villages in the Tarn hills on Holloway's order as the blaze spread toward "
      "Grell."],
     "Two firefighting aircraft were borrowed from neighbouring Ostmark."),
    ("election", "wins a second term",
     ["Governor Maren Holloway won a second term on Sunday, beating Ruben Castell by 52 to 46 percent with turnout "
      "of 71 percent.",
      "Holloway was re-elected governor of Calveria with 52 percent of the vote; Castell conceded shortly after "
      "midnight.",
      "Voters gave Holloway another four years: 52 percent against 46 percent for Castell, on the highest turnout "
      "since 2006."],
     "Her party also kept its majority in the assembly, winning 61 of 110 seats."),
    ("rail", "breaks ground on the Velden metro",
     ["Governor Maren Holloway broke ground on the first Velden metro line, 11 stations and 14 kilometres due to "
      "open in 2032.",
      "Construction of Velden's metro began with Holloway at the site in Nordhafen; line 1 will have 11 stations.",
      "The 3.1 billion crown metro line, 14 kilometres from Nordhafen to the airport, was launched by Holloway on "
      "Wednesday."],
     "Tunnel boring machines named Greta and Ida arrive next spring."),
]


def politician_stream(start: datetime = datetime(2026, 1, 12, 9, tzinfo=timezone.utc)) -> list[dict]:
    """Rows for ``newsfold cluster``: ten events 30 days apart, three outlets each (hours apart), with an
    ``event`` field the linker must never read (``cluster`` ignores unknown fields)."""
    rows = []
    for k, (key, headline, versions, detail) in enumerate(EVENTS):
        day = start + timedelta(days=30 * k)
        for j, (outlet, body) in enumerate(zip(OUTLETS, versions)):
            rows.append({
                "id": f"{key}-{outlet.split('.')[0]}",
                "title": f"Holloway {headline}" if j != 1 else f"Governor {headline}",
                "text": f"{body}\n\n{detail}\n\nHolloway, governor of Calveria since 2023, spoke to reporters in Velden.",
                "date": (day + timedelta(hours=5 * j)).isoformat(),
                "source": outlet,
                "lang": "en",
                "event": key,
            })
    return rows
