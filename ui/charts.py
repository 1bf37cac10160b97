"""Charts of who diverges from whom, drawn with Altair (Vega-Lite).

Vega-Lite draws heatmaps well (rect marks with a diverging scale, text overlays,
tooltips) and Streamlit's ``st.altair_chart(on_select=...)`` hands clicks back to
Python, so a cell of the matrix can open that pair's diff. Vega renders text as
text, so source strings need no escaping here.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt

from cruxmap.ui.palette import AGREE, DISAGREE, DIVERGING_SCHEME, OTHER
from cruxmap.ui.render import short

#: The name of the click selection on the heatmap (read back from the chart's state).
PAIR_SELECTION = "pair"
#: At most this many authors are drawn in the matrix and the network (most claims first).
MAX_AUTHORS = 20


def heatmap(matrix: dict[str, Any], max_authors: int = MAX_AUTHORS) -> alt.Chart:
    """The author x author matrix: colour = net divergence (-1 agree .. +1 disagree).

    Cells show the number of disagreements; a click selects the pair (``a``, ``b``).
    """
    order = [a["name"] for a in matrix["authors"][:max_authors]]
    keep = set(order)
    rows = [dict(c, label=str(c["disagreements"]) if c["disagreements"] else "")
            for c in matrix["cells"] if c["a_name"] in keep and c["b_name"] in keep]
    df = alt.Data(values=rows)  # inline values: no pandas to import on the first render
    pick = alt.selection_point(name=PAIR_SELECTION, fields=["a", "b"], on="click",
                               clear="dblclick")
    size = max(22, min(44, (270 if len(order) <= 9 else 640) // max(len(order), 1)))
    base = alt.Chart(df).encode(
        x=alt.X("b_name:N", sort=order, title=None,
                axis=alt.Axis(labelAngle=-35, labelLimit=140, orient="top", labelOverlap=False, labelFontSize=12)),
        y=alt.Y("a_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=160, labelOverlap=False,
                                                                    labelFontSize=12)),
    )
    cells = base.mark_rect(stroke="#FFFFFF", strokeWidth=1.5).encode(
        color=alt.Color("net:Q", title="agree ← → disagree",
                        scale=alt.Scale(scheme=DIVERGING_SCHEME, domain=[-1, 1], domainMid=0),
                        legend=alt.Legend(orient="bottom", gradientLength=220, values=[-1, 0, 1])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
        tooltip=[alt.Tooltip("a_name:N", title="author"), alt.Tooltip("b_name:N", title="with"),
                 alt.Tooltip("disagreements:Q", title="disagreements"),
                 alt.Tooltip("disagree:Q", title="disagreement weight", format=".2f"),
                 alt.Tooltip("agree:Q", title="agreement weight", format=".2f")],
    ).add_params(pick)
    text = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text="label:N",
        color=alt.condition("abs(datum.net) > 0.55", alt.value("#FFFFFF"), alt.value("#222222")),
    )
    # Streamlit fits the whole chart (axis labels included) into width x height: leave room for names
    return (cells + text).properties(width=size * len(order) + 130, height=size * len(order) + 120,
                                     padding={"left": 4, "top": 4, "right": 56, "bottom": 4})


def circle_layout(n: int) -> list[tuple[float, float]]:
    """``n`` points on a circle, the first at the top, clockwise.

    Examples
    --------
    >>> [(round(x, 2), round(y, 2)) for x, y in circle_layout(2)]
    [(0.0, 1.0), (0.0, -1.0)]
    """
    return [(math.sin(2 * math.pi * i / max(n, 1)), math.cos(2 * math.pi * i / max(n, 1)))
            for i in range(n)]


def network_data(matrix: dict[str, Any], colours: dict[str, str],
                 max_authors: int = MAX_AUTHORS) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Author nodes on a circle and pair edges (one per kind: agree, disagree)."""
    authors = matrix["authors"][:max_authors]
    pos = dict(zip((a["id"] for a in authors), circle_layout(len(authors))))
    nodes = []
    for a in authors:
        x, y = pos[a["id"]]
        # the label sits outside the circle, on the ray through its dot, and reads away from the
        # centre: neighbours' labels point in different directions instead of overlapping
        side = "center" if abs(x) < 0.2 else ("left" if x > 0 else "right")
        nodes.append({"id": a["id"], "name": a["name"], "label": short(a["name"], 22), "claims": a["claims"],
                      "x": x, "y": y, "lx": x * 1.13, "ly": y * 1.13 + (0.06 if side == "center" and y > 0 else
                                                                        -0.08 if side == "center" else 0.0),
                      "align": side, "colour": colours.get(a["id"], OTHER)})
    edges = []
    for c in matrix["cells"]:
        if c["a"] >= c["b"] or c["a"] not in pos or c["b"] not in pos:
            continue  # each unordered pair once
        (x1, y1), (x2, y2) = pos[c["a"]], pos[c["b"]]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ox, oy = -(y2 - y1) / length * 0.025, (x2 - x1) / length * 0.025  # side by side when both
        for kind, weight, sign in (("disagree", c["disagree"] or c["disagreements"], 1),
                                   ("agree", c["agree"], -1)):
            if weight:
                both = bool(c["agree"]) and bool(c["disagree"] or c["disagreements"])
                dx, dy = (ox * sign, oy * sign) if both else (0.0, 0.0)
                edges.append({"a_name": c["a_name"], "b_name": c["b_name"], "kind": kind,
                              "weight": round(float(weight), 2), "x": x1 + dx, "y": y1 + dy,
                              "x2": x2 + dx, "y2": y2 + dy, "disagreements": c["disagreements"]})
    # a dense map would draw a hairball: keep the strongest edges, enough to read the structure
    return nodes, sorted(edges, key=lambda e: -e["weight"])[:max(24, 2 * len(authors))]


def network(matrix: dict[str, Any], colours: dict[str, str], height: int = 420) -> alt.Chart:
    """Authors on a circle; edges coloured agree/disagree (dashed/solid), width = weight."""
    nodes, edges = network_data(matrix, colours)
    xy = dict(x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-1.6, 1.6])),  # room for labels beside the circle
              y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-1.15, 1.3])))
    top = max([e["weight"] for e in edges] + [1.0])
    lines = alt.Chart(alt.Data(values=edges)).mark_rule(opacity=0.85).encode(
        **xy, x2="x2:Q", y2="y2:Q",
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(domain=["disagree", "agree"], range=[DISAGREE, AGREE]),
                        legend=alt.Legend(orient="bottom", symbolType="stroke")),
        strokeDash=alt.StrokeDash("kind:N", legend=None,
                                  scale=alt.Scale(domain=["disagree", "agree"], range=[[1, 0], [6, 4]])),
        strokeWidth=alt.StrokeWidth("weight:Q", legend=None, scale=alt.Scale(domain=[0, top], range=[1, 9])),
        tooltip=[alt.Tooltip("a_name:N", title="author"), alt.Tooltip("b_name:N", title="with"),
                 alt.Tooltip("kind:N", title="edge"), alt.Tooltip("weight:Q", title="weight"),
                 alt.Tooltip("disagreements:Q", title="disagreements")],
    )
    dots = alt.Chart(alt.Data(values=nodes)).mark_circle(opacity=1, stroke="#333333", strokeWidth=1).encode(
        **xy,
        color=alt.Color("colour:N", scale=None, legend=None),
        size=alt.Size("claims:Q", legend=None, scale=alt.Scale(range=[250, 1400])),
        tooltip=[alt.Tooltip("name:N", title="author"), alt.Tooltip("claims:Q", title="claims")],
    )
    label_xy = dict(x=alt.X("lx:Q", axis=None, scale=alt.Scale(domain=[-1.6, 1.6])),
                    y=alt.Y("ly:Q", axis=None, scale=alt.Scale(domain=[-1.15, 1.3])))
    layers = [lines, dots]
    for align in ("left", "right", "center"):
        part = [n for n in nodes if n["align"] == align]
        if part:
            layers.append(alt.Chart(alt.Data(values=part)).mark_text(
                fontSize=13, fontWeight="bold", align=align, baseline="middle", dx={"left": 10, "right": -10}.get(align, 0),
            ).encode(**label_xy, text="label:N", tooltip=alt.Tooltip("name:N", title="author")))
    return alt.layer(*layers).properties(height=height, width="container")
