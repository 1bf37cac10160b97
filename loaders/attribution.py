"""Attribution scores for a pasted forum page: whom a loader credits each sentence to, against gold.

A gold file is the pasted page with annotation lines (the format is described in
``tests/data/pasted/README.md``): ``@@ item {json}`` starts an item and says who wrote it as the
page shows it (``"author": null`` when the page does not show the author), ``@@ nav`` starts
lines that are no item's text, and a line inside an item that starts with ``~ `` belongs to the
item but is not its text (a header line, a title, a ``Reply`` button). :func:`page_text` gives
the page a user would paste; :func:`score` compares a loader's :class:`~cruxmap.graph.schema.Thread`
of that page with the gold.

What is counted, per page:

* ``items`` / ``gold_items``: posts plus comments the loader found, and in the gold; ``in_range``
  when the loader's count is inside the gold's ``range`` (the counts a faithful reading may give).
* Sentences of the gold text (each text line split into sentences), each credited by the loader
  to the author of the item that holds that line. ``correct``: credited to who wrote it;
  ``wrong``: credited to someone else; ``unknown``: in an item without an author (not found,
  never wrong); ``missing``: in no item. Sentences the loader credits that are no gold item's
  text (a header or a button kept as text) are ``spurious`` and count as wrong.
* ``precision`` = correct / (correct + wrong + spurious); ``recall`` = correct / sentences whose
  author the page shows.
* ``missing_authors``: names the page shows as authors that the loader did not find;
  ``false_authors``: names the loader made authors that the page shows as no one's.
* ``cross_thread``: comments the loader put under another thread's post than the gold's.

Run ``python -m cruxmap.loaders.attribution tests/data/pasted/*.gold.txt`` for the table.

Examples
--------
>>> gold = read_gold('''@@ item {"kind": "comment", "author": "Ada Byron"}
... ~ Ada Byron3h
... Probes find a direction anywhere.
... @@ item {"kind": "comment", "author": null}
...
... I agree, but only in small models.''')
>>> page_text(gold.source)
'Ada Byron3h\\nProbes find a direction anywhere.\\n\\nI agree, but only in small models.'
>>> [(i.author, i.text) for i in gold.items]
[('Ada Byron', 'Probes find a direction anywhere.'), (None, 'I agree, but only in small models.')]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cruxmap.graph.schema import Thread

__all__ = ["GoldItem", "GoldPage", "PageScore", "read_gold", "page_text", "score", "table"]

_ANNOTATION = re.compile(r"@@ (?P<what>page|item|nav)(?: (?P<json>\{.*\}))?\s*$")
_NOT_TEXT = "~ "


@dataclass(frozen=True)
class GoldItem:
    """One item of a gold page: who wrote it as the page shows it, and its text lines."""

    kind: str
    author: str | None
    hidden: str | None = None  # who wrote it, when the page does not show it
    coauthors: tuple[str, ...] = ()
    title: str = ""
    id: str = ""
    thread: str = ""
    lines: tuple[int, ...] = ()  # indexes of its text lines in the page
    text: str = ""

    @property
    def writer(self) -> str | None:
        """Who wrote it: the author the page shows, else the hidden one."""
        return self.author or self.hidden


@dataclass(frozen=True)
class GoldPage:
    source: str  # the gold file's text
    items: tuple[GoldItem, ...]
    lines: tuple[str, ...]  # the page's lines
    range: tuple[int, int]
    site: str = ""
    note: str = ""

    def shown_authors(self) -> set[str]:
        names = set()
        for item in self.items:
            names.update(n for n in (item.author, *item.coauthors) if n)
        return names


def page_text(gold: str) -> str:
    """The page a user pastes: the gold file without its annotation lines and ``~`` marks."""
    out = []
    for line in gold.split("\n"):
        if _ANNOTATION.match(line):
            continue
        out.append(line[len(_NOT_TEXT):] if line.startswith(_NOT_TEXT) else line)
    return "\n".join(out)


def read_gold(gold: str) -> GoldPage:
    """Parse a gold file (see the module docstring)."""
    items: list[dict[str, Any]] = []
    page: dict[str, Any] = {}
    current: dict[str, Any] | None = None
    lines: list[str] = []
    for raw in gold.split("\n"):
        m = _ANNOTATION.match(raw)
        if m:
            facts = json.loads(m["json"]) if m["json"] else {}
            if m["what"] == "page":
                page = facts
            elif m["what"] == "item":
                current = dict(facts, lines=[], text=[])
                items.append(current)
            else:
                current = None
            continue
        is_text = not raw.startswith(_NOT_TEXT)
        lines.append(raw[len(_NOT_TEXT):] if not is_text else raw)
        if current is not None and is_text:
            current["text"].append(raw)
            if raw.strip():
                current["lines"].append(len(lines) - 1)
    built = tuple(_gold_item(i) for i in items)
    lo, hi = page.get("range") or (len(built), len(built))
    return GoldPage(source=gold, items=built, lines=tuple(lines), range=(lo, hi),
                    site=page.get("site", ""), note=page.get("note", ""))


def _gold_item(facts: dict[str, Any]) -> GoldItem:
    text = "\n".join(facts["text"]).strip()
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return GoldItem(kind=facts["kind"], author=facts.get("author"), hidden=facts.get("hidden"),
                    coauthors=tuple(facts.get("coauthors", ())), title=facts.get("title", ""),
                    id=facts.get("id", ""), thread=facts.get("thread", ""),
                    lines=tuple(facts["lines"]), text=text)


# --- scoring ---------------------------------------------------------------------------------
@dataclass
class PageScore:
    """What :func:`score` counts for one page (see the module docstring)."""

    page: str = ""
    items: int = 0
    gold_items: int = 0
    range: tuple[int, int] = (0, 0)
    sentences: int = 0
    shown: int = 0  # gold sentences whose author the page shows
    correct: int = 0
    correct_shown: int = 0
    wrong: int = 0
    spurious: int = 0
    unknown: int = 0
    missing: int = 0
    missing_authors: list[str] = field(default_factory=list)
    false_authors: list[str] = field(default_factory=list)
    cross_thread: int = 0
    wrong_examples: list[str] = field(default_factory=list)

    @property
    def in_range(self) -> bool:
        return self.range[0] <= self.items <= self.range[1]

    @property
    def precision(self) -> float:
        credited = self.correct + self.wrong + self.spurious
        return self.correct / credited if credited else 1.0

    @property
    def recall(self) -> float:
        return self.correct_shown / self.shown if self.shown else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"page": self.page, "items": self.items, "gold_items": self.gold_items,
                "range": list(self.range), "in_range": self.in_range,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "sentences": self.sentences, "correct": self.correct, "wrong": self.wrong,
                "spurious": self.spurious, "unknown": self.unknown, "missing": self.missing,
                "missing_authors": self.missing_authors, "false_authors": self.false_authors,
                "cross_thread": self.cross_thread}


def _sentences(line: str) -> int:
    import nupunkt  # the sentence splitter the claims stage uses

    return max(1, len([s for s in nupunkt.sent_tokenize(line) if s.strip()]))


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def _locate(thread: Thread, lines: tuple[str, ...]) -> tuple[dict[int, Any], list[tuple[Any, str]]]:
    """Which loader item holds each page line; and the loader lines found on no page line."""
    page = [_norm(x) for x in lines]
    where: dict[str, list[int]] = {}
    for i, x in enumerate(page):
        if x:
            where.setdefault(x, []).append(i)
    items = list(thread.items())

    def first_line(item: Any) -> int:
        for x in item.text.split("\n"):
            if _norm(x):
                hits = _candidates(_norm(x), page, where)
                return hits[0] if hits else len(page)
        return len(page)

    owner: dict[int, Any] = {}
    stray: list[tuple[Any, str]] = []
    for item in sorted(items, key=first_line):
        cursor = 0
        for x in item.text.split("\n"):
            nx = _norm(x)
            if not nx:
                continue
            free = [i for i in _candidates(nx, page, where) if i not in owner]
            after = [i for i in free if i >= cursor]
            pick = (after or free or [None])[0]
            if pick is None:
                stray.append((item, x))
                continue
            owner[pick] = item
            cursor = pick
    return owner, stray


def _candidates(nx: str, page: list[str], where: dict[str, list[int]]) -> list[int]:
    exact = where.get(nx)
    if exact:
        return exact
    # a line the loader shortened ("(read more)" cut off) or took from inside a longer line
    return [i for i, p in enumerate(page) if p and (p.startswith(nx) or nx in p)]


def score(thread: Thread, gold: GoldPage, page: str = "") -> PageScore:
    """Score ``thread`` (the loader's reading of ``page_text(gold.source)``) against ``gold``."""
    names = {a.id: a.name for a in thread.authors}
    owner, stray = _locate(thread, gold.lines)
    s = PageScore(page=page, items=len(thread.posts) + len(thread.comments),
                  gold_items=len(gold.items), range=gold.range)
    gold_line: dict[int, GoldItem] = {i: g for g in gold.items for i in g.lines}
    for i, g in sorted(gold_line.items()):
        n = _sentences(gold.lines[i])
        s.sentences += n
        s.shown += n if g.author else 0
        item = owner.get(i)
        credited = names.get(item.author_id) if item is not None and item.author_id else None
        if item is None:
            s.missing += n
        elif credited is None:
            s.unknown += n
        elif g.writer and _norm(credited) == _norm(g.writer):
            s.correct += n
            s.correct_shown += n if g.author else 0
        else:
            s.wrong += n
            s.wrong_examples.append(f"{credited} <- {gold.lines[i][:70]!r} ({g.writer})")
    for i, item in owner.items():
        if i not in gold_line and item.author_id:
            s.spurious += _sentences(gold.lines[i])
            s.wrong_examples.append(f"{names.get(item.author_id)} <- not text: {gold.lines[i][:60]!r}")
    for item, x in stray:
        if item.author_id:
            s.spurious += _sentences(x)
            s.wrong_examples.append(f"{names.get(item.author_id)} <- not on the page: {x[:60]!r}")
    shown = {_norm(n): n for n in gold.shown_authors()}
    found = {_norm(a.name): a.name for a in thread.authors}
    s.missing_authors = sorted(shown[k] for k in shown.keys() - found.keys())
    s.false_authors = sorted(found[k] for k in found.keys() - shown.keys())
    s.cross_thread = _cross_thread(thread, gold, owner)
    return s


def _cross_thread(thread: Thread, gold: GoldPage, owner: dict[int, Any]) -> int:
    """Comments under another thread's post than the gold's (by the lines they hold)."""
    held: dict[str, Counter[str]] = {}  # loader item id -> gold item ids of its lines
    for i, item in owner.items():
        for g in gold.items:
            if i in g.lines:
                held.setdefault(item.id, Counter())[g.id or f"#{gold.items.index(g)}"] += 1
    by_title = {_norm(g.title): g.id for g in gold.items if g.id and g.title}
    post_gold: dict[str, str] = {}
    for p in thread.posts:
        if p.id in held:
            post_gold[p.id] = held[p.id].most_common(1)[0][0]
        elif _norm(p.title) in by_title:
            post_gold[p.id] = by_title[_norm(p.title)]
    threads_of = _thread_closure(gold)
    wrong = 0
    for c in thread.comments:
        if c.id not in held:
            continue
        gid = held[c.id].most_common(1)[0][0]
        g = next((x for x in gold.items if (x.id or f"#{gold.items.index(x)}") == gid), None)
        if g is None or not g.thread:
            continue
        mapped = post_gold.get(c.post_id or "")
        if mapped is not None and mapped not in threads_of.get(g.thread, {g.thread}):
            wrong += 1
    return wrong


def _thread_closure(gold: GoldPage) -> dict[str, set[str]]:
    """A thread id with the posts it sits under (a quick take under its shortform stub)."""
    parent = {g.id: g.thread for g in gold.items if g.id and g.thread}
    out: dict[str, set[str]] = {}
    for g in gold.items:
        if g.id:
            chain, x = {g.id}, g.id
            while x in parent and parent[x] not in chain:
                x = parent[x]
                chain.add(x)
            out[g.id] = chain
    return out


def table(rows: list[PageScore]) -> str:
    """A plain-text table of page scores, one row per page and a total."""
    head = (f"{'page':28} {'items/gold':>10} {'range':>9} {'precision':>9} {'recall':>7} "
            f"{'wrong':>5} {'spur':>4} {'x-thread':>8}  authors missing / false")
    out = [head, "-" * len(head)]
    for r in rows:
        out.append(f"{r.page:28} {f'{r.items}/{r.gold_items}':>10} "
                   f"{f'{r.range[0]}-{r.range[1]}':>9} {r.precision:9.3f} {r.recall:7.3f} "
                   f"{r.wrong:5d} {r.spurious:4d} {r.cross_thread:8d}  "
                   f"{', '.join(r.missing_authors) or '-'} / {', '.join(r.false_authors) or '-'}")
    total = PageScore(page="all pages")
    for r in rows:
        for k in ("items", "gold_items", "sentences", "shown", "correct", "correct_shown", "wrong",
                  "spurious", "unknown", "missing", "cross_thread"):
            setattr(total, k, getattr(total, k) + getattr(r, k))
    out.append(f"{total.page:28} {f'{total.items}/{total.gold_items}':>10} {'':>9} "
               f"{total.precision:9.3f} {total.recall:7.3f} {total.wrong:5d} {total.spurious:4d} "
               f"{total.cross_thread:8d}")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    from cruxmap.loaders.forum_text import parse

    verbose = "-v" in argv
    rows = []
    for path in (a for a in argv if a != "-v"):
        gold = read_gold(Path(path).read_text(encoding="utf-8"))
        name = Path(path).name.removesuffix(".gold.txt")
        r = score(parse(page_text(gold.source), source=name), gold, page=name)
        rows.append(r)
        if verbose:
            for line in r.wrong_examples:
                print(f"  {name}: {line}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
