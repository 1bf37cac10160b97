"""Colours, chosen once for every view: authors, stances, claim roles.

Authors get Paul Tol's *muted* qualitative scheme, which stays distinct under the
common colour-vision deficiencies; stance colours are Okabe-Ito blue (agree, support)
and vermillion (disagree, attack), which the muted scheme does not use, so an edge's
colour never reads as an author. The same author gets the same colour on every page
because the order is fixed by the map (most claims first, then name).

Examples
--------
>>> c = author_colours(["author:ann", "author:bo"])
>>> c["author:ann"], c["author:bo"]
('#332288', '#CC6677')
>>> len(set(author_colours([f"a{i}" for i in range(30)]).values()))
10
"""

from __future__ import annotations

from typing import Iterable

#: Paul Tol's muted qualitative scheme (https://personal.sron.nl/~pault/), in use order.
AUTHOR_PALETTE = ("#332288", "#CC6677", "#44AA99", "#DDCC77", "#882255",
                  "#88CCEE", "#117733", "#AA4499", "#999933")
#: Authors past the palette, and unknown authors.
OTHER = "#9E9E9E"

#: Okabe-Ito blue and vermillion.
AGREE = "#0072B2"
DISAGREE = "#D55E00"
#: The diverging Vega scheme for the author matrix: blue = agree, orange = disagree.
DIVERGING_SCHEME = "blueorange"

#: Background tints for claims in running text, by role (dark text stays readable on them).
ROLE_TINTS = {"attack": "#F9D5BD", "support": "#CBE3F3", "crux": "#FFE97F", "claim": "transparent"}
ROLE_LABELS = {"attack": "attack", "support": "support", "crux": "crux", "claim": "claim"}

#: Stance badges: (background, text colour, label).
STANCE_BADGES = {
    "disagree": (DISAGREE, "#FFFFFF", "disagrees"),
    "correct": ("#A03A00", "#FFFFFF", "corrects"),
    "agree": (AGREE, "#FFFFFF", "agrees"),
    "concede": ("#004D80", "#FFFFFF", "concedes"),
    "question": ("#6B6B6B", "#FFFFFF", "asks"),
    "neutral": ("#E0E0E0", "#333333", "neutral"),
}

#: Disagreement status badges for Streamlit's ``st.badge`` colours.
STATUS_COLOURS = {"open": "orange", "conceded": "blue", "resolved": "green"}


def author_colours(author_ids: Iterable[str]) -> dict[str, str]:
    """A colour per author, in the given order; authors past the palette share :data:`OTHER`."""
    out: dict[str, str] = {}
    for i, aid in enumerate(dict.fromkeys(author_ids)):
        out[aid] = AUTHOR_PALETTE[i] if i < len(AUTHOR_PALETTE) else OTHER
    return out


def colour_of(colours: dict[str, str], author_id: str | None) -> str:
    """The author's colour, :data:`OTHER` for unknown authors."""
    return colours.get(author_id or "", OTHER)
