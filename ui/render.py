"""Turning source text into something a page can show, safely.

Text from forums is data, never markup. Everything here that builds HTML passes every
source string through :func:`esc` (``html.escape``) and every link through
:func:`safe_url` (http and https only); markdown gets :func:`md`, which
backslash-escapes every character markdown gives meaning to. No caller needs
``unsafe_allow_html``.

Examples
--------
>>> esc('<script>alert(1)</script>')
'&lt;script&gt;alert(1)&lt;/script&gt;'
>>> md("*not bold* [no link](x)")
'\\\\*not bold\\\\* \\\\[no link\\\\]\\\\(x\\\\)'
>>> safe_url("javascript:alert(1)"), safe_url("https://example.org/a")
('', 'https://example.org/a')
"""

from __future__ import annotations

import html
import re
from typing import Any

from cruxmap.graph.analysis.threads import claim_role, segments
from cruxmap.graph.analysis.words import UNKNOWN_AUTHOR, reads_as
from cruxmap.ui.palette import OTHER, ROLE_TINTS, STANCE_BADGES, colour_of

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^&\"'])")


def esc(text: Any) -> str:
    """HTML-escape a source string (quotes too, so it is safe inside attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def md(text: Any) -> str:
    """Escape a source string for ``st.markdown``: no emphasis, links, images, HTML or LaTeX."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text)).replace("\n", "  \n")


def safe_url(url: Any) -> str:
    """The URL when it is http(s), else ''. Never a ``javascript:`` or ``data:`` link."""
    u = str(url or "").strip()
    return u if re.match(r"^https?://[^\s\"'<>]+$", u, re.I) else ""


def component_text(text: Any) -> str:
    """Source text for a graph component's info panel, which links ``<a href>`` patterns.

    A zero-width space after ``<`` stops that pattern from ever matching source text,
    so a claim can show ``<a href=...>`` but never become a link; it looks the same.
    """
    return re.sub(r"<(?=\s*/?\s*a\b)", "<\u200b", "" if text is None else str(text), flags=re.I)


def short(text: Any, n: int = 60) -> str:
    """The first ``n`` characters of ``text`` on one line, with an ellipsis when cut."""
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1].rstrip() + "…"


# --- small HTML pieces -------------------------------------------------------------
def author_chip(name: Any, colour: str) -> str:
    """A coloured dot and the author's name."""
    return (f'<span class="cm-author"><span class="cm-dot" style="background:{colour}"></span>'
            f'{esc(name or UNKNOWN_AUTHOR)}</span>')


def stance_badge(stance: str | None, confidence: float | None = None) -> str:
    """A small badge for a reply's stance ('' for none)."""
    if not stance or stance not in STANCE_BADGES:
        return ""
    bg, fg, label = STANCE_BADGES[stance]
    why = reads_as(stance, confidence) + (f" ({confidence:.0%})" if isinstance(confidence, (int, float)) else "")
    return f'<span class="cm-badge" style="background:{bg};color:{fg}" title="{esc(why)}">{esc(label)}</span>'


def link(url: Any, label: str = "source") -> str:
    """An external link, or '' when the URL is not http(s)."""
    u = safe_url(url)
    return f'<a href="{esc(u)}" target="_blank" rel="noopener noreferrer">{esc(label)}</a>' if u else ""


STYLE = """<style>
.cm-author{font-weight:600;white-space:nowrap}
.cm-dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.35em;vertical-align:-.05em;border:1px solid rgba(0,0,0,.25)}
.cm-badge{display:inline-block;border-radius:.6em;padding:0 .55em;font-size:.78em;font-weight:600;line-height:1.55em;margin-left:.4em}
.cm-meta{color:#555;font-size:.85em}
.cm-meta a{color:#0060A0}
.cm-text{white-space:pre-wrap;line-height:1.55;margin:.3em 0 .2em 0}
.cm-quote{border-left:4px solid #999;padding:.35em .75em;margin:.35em 0;background:#FAFAFA;border-radius:0 .3em .3em 0}
.cm-quote .cm-text{margin:.15em 0}
.cm-item{border-left:3px solid #DDD;padding:.25em 0 .25em .8em;margin:.45em 0}
.cm-post{border:1px solid #DDD;border-radius:.5em;padding:.6em 1em;margin-bottom:.8em}
.cm-title{font-size:1.3em;font-weight:700;margin:.1em 0 .2em 0}
.cm-c{border-radius:.2em;padding:0 .08em}
.cm-c-claim{border-bottom:2px solid #E2E2E2}
.cm-c-attack{background:#F9D5BD}
.cm-c-support{background:#CBE3F3}
.cm-c-crux{background:#FFE97F;font-weight:600;border-bottom:2px solid #8A6D00}
.cm-c-focus{outline:2px solid #000;outline-offset:1px}
.cm-legend span{margin-right:1em;white-space:nowrap}
.cm-swatch{display:inline-block;width:1.6em;height:.9em;border-radius:.2em;vertical-align:-.1em;margin-right:.3em}
</style>"""


def legend_roles() -> str:
    """The legend for claim highlighting."""
    parts = []
    for role, label in (("crux", "crux"), ("attack", "attacks / corrects"),
                        ("support", "supports / concedes"), ("claim", "other claim")):
        tint = ROLE_TINTS[role]
        border = "border-bottom:2px solid #E2E2E2;" if role == "claim" else ""
        parts.append(f'<span><span class="cm-swatch" style="background:{tint};{border}"></span>{esc(label)}</span>')
    return STYLE + '<div class="cm-legend cm-meta">' + "".join(parts) + "</div>"


def highlighted(text: str, claims: list[dict[str, Any]], focus: str | None = None) -> str:
    """``text`` as HTML with each claim's span marked by its role (the focus claim outlined)."""
    out = []
    for piece, c in segments(text, claims):
        if c is None:
            out.append(esc(piece))
            continue
        role = claim_role(c)
        cls = f"cm-c cm-c-{role}" + (" cm-c-focus" if focus and c.get("id") == focus else "")
        title = role + (f" · {c['stance']}" if c.get("stance") else "")
        out.append(f'<span class="{cls}" title="{esc(title)}">{esc(piece)}</span>')
    return "".join(out)


def quote(text: str, author: Any, colour: str, url: Any = "", meta: str = "",
          claims: list[dict[str, Any]] | None = None, focus: str | None = None) -> str:
    """A quote block with its author, coloured by author, optional meta line and source link."""
    body = highlighted(text, claims, focus) if claims else esc(text)
    src = link(url)
    tail = " · ".join(x for x in (esc(meta) if meta else "", src) if x)
    return (f'<div class="cm-quote" style="border-left-color:{colour}">'
            f'{author_chip(author, colour)}'
            f'{" <span class=cm-meta>· " + tail + "</span>" if tail else ""}'
            f'<div class="cm-text">{body}</div></div>')


def item_html(it: dict[str, Any], colours: dict[str, str], is_post: bool = False,
              focus: str | None = None) -> str:
    """One post or comment of the thread reader, with its claims highlighted."""
    colour = colour_of(colours, it.get("author_id")) if it.get("author_id") else OTHER
    meta = []
    if it.get("posted_at"):
        meta.append(esc(str(it["posted_at"]).replace("T", " ").removesuffix("Z")[:16]))
    if it.get("score") is not None:
        meta.append(f"{esc(it['score'])} points")
    src = link(it.get("url"))
    if src:
        meta.append(src)
    # a pasted page that shows no author for an item says so; the item is shown, not hidden
    unshown = "author not shown on the page" if it.get("attribution") == "unknown" else UNKNOWN_AUTHOR
    head = (author_chip(it.get("author") or unshown, colour)
            + stance_badge(it.get("stance"), it.get("stance_confidence"))
            + (' <span class="cm-badge" style="background:#EEE;color:#333">retracted</span>'
               if it.get("retracted") else "")
            + (f' <span class="cm-meta">· {" · ".join(meta)}</span>' if meta else ""))
    title = f'<div class="cm-title">{esc(it["title"])}</div>' if is_post and it.get("title") else ""
    body = f'<div class="cm-text">{highlighted(it.get("text", ""), it.get("claims", []), focus)}</div>'
    if is_post:
        return f'<div class="cm-post" id="{esc(it["id"])}">{title}{head}{body}</div>'
    indent = round(min(int(it.get("depth", 1)) - 1, 8) * 1.6, 2)
    ring = "background:#FFFBE6;" if focus and focus == it["id"] else ""
    return (f'<div class="cm-item" id="{esc(it["id"])}" style="margin-left:{indent}em;{ring}'
            f'border-left-color:{colour}">{head}{body}</div>')


def thread_html(t: dict[str, Any], colours: dict[str, str], focus: str | None = None) -> str:
    """The whole thread (post, then the comment tree) as one HTML document."""
    parts = [STYLE, item_html(t["post"], colours, is_post=True, focus=focus)]
    parts += [item_html(c, colours, focus=focus) for c in t["comments"]]
    return "".join(parts)


def side_quotes(claims: list[dict[str, Any]], colours: dict[str, str], limit: int = 4) -> str:
    """One side of a disagreement: its claims grouped by the post or comment they come from.

    Claims of one comment become one quote (joined with an ellipsis where text was left
    out), so a side reads as what each person said, not as a list of sentences.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        groups.setdefault(c.get("source_id") or c["id"], []).append(c)
    out = []
    for items in list(groups.values())[:limit]:
        items = sorted(items, key=lambda c: c.get("start") or 0)
        parts, end = [], None
        for c in items:
            if end is not None and (c.get("start") or 0) > end + 2:
                parts.append("…")
            parts.append(c["text"])
            end = c.get("end") or 0
        first = items[0]
        out.append(quote(" ".join(parts), first.get("author"), colour_of(colours, first.get("author_id")),
                         first.get("url")))
    if len(groups) > limit:
        out.append(f'<div class="cm-meta">and {len(groups) - limit} more</div>')
    return "".join(out)
