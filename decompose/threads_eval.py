"""Score a decomposition against hand-written gold for real threads (the ``devset/`` folder).

Each gold file (``devset/<source>/<thread>.gold.json``, format in ``devset/README.md``) names
the author pairs who disagree, the explicit agreements a tool must not report as disputes, and
the cruxes, each with verbatim quotes ``{"item": <source id>, "quote": <exact substring>}``.
The functions here are pure: they take a :class:`~cruxmap.graph.schema.CruxMap` (or a thread)
and a gold dict and return plain counts; :func:`eval_devset` runs the default pipeline over a
folder and pools the counts per split.

Definitions (the numbers ``cruxmap eval`` reports under ``devset``):

* **reported pairs**: for every Disagreement, each author of a side-``a`` claim with each
  author of a side-``b`` claim (unknown authors and self-pairs dropped), as unordered pairs.
  Disagreement recall and precision compare them with the gold pairs.
* **agreements reported as disputes**: a gold agreement (its quote, and the author it agrees
  with) counts when some Disagreement has a claim overlapping the agreeing quote on one side
  and a claim by the agreed-with author on the other.
* **gold crux located**: some reported crux is attached (``CRUX_OF``) to a Disagreement whose
  pair is one of the crux's gold pairs and which holds a claim overlapping (same item, at least
  one shared character) one of the crux's gold quotes.
* **stated crux kept**: for a gold crux marked ``stated``, a claim the crux stage turned into a
  crux (``role == "crux"``) overlaps its stated quote, or a reported crux's text holds at least
  half of the quote's content words.
* **baseline** "every reply to another author is a disagreement": the pair (reply author,
  parent author) for every comment whose parent's author is known and different.

Examples
--------
>>> from cruxmap.graph.schema import Author, Comment, Post, Thread
>>> t = Thread("x", posts=(Post(id="p", text="Cats are best.", author_id="a:ann"),),
...            comments=(Comment(id="c", text="No, dogs are best.", parent_id="p", post_id="p",
...                              author_id="a:bo"),),
...            authors=(Author("a:ann", "Ann"), Author("a:bo", "Bo")))
>>> gold = {"disagreements": [{"pair": ["Ann", "Bo"]}], "agreements": [], "cruxes": []}
>>> score_pairs(baseline_pairs(t), gold_pairs(gold))
{'gold': 1, 'reported': 1, 'hit': 1}
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from cruxmap.graph.schema import CruxMap, Thread

from cruxmap.decompose.embed import overlap

Pair = frozenset
SPLITS = ("tune", "test")


# --- names and spans ---------------------------------------------------------------------
def _key(name: str | None) -> str | None:
    """Author names compare case- and space-insensitively (as ``author_id`` does)."""
    return " ".join(name.split()).casefold() if name else None


def pair(a: str, b: str) -> Pair:
    """An unordered author pair, normalised.

    >>> pair("Ann", "bo ") == pair("BO", "ann")
    True
    """
    return frozenset((_key(a), _key(b)))


def item_index(thread: Thread) -> dict[str, Any]:
    """Items by the id a gold file uses: the loader's id and its unnamespaced tail.

    >>> from cruxmap.graph.schema import Post
    >>> sorted(item_index(Thread("x", posts=(Post(id="reddit:t3_a", text=""),))))
    ['reddit:t3_a', 't3_a']
    """
    out: dict[str, Any] = {}
    for x in thread.items():
        out[x.id] = x
        out.setdefault(x.id.split(":", 1)[1] if ":" in x.id else x.id, x)
    return out


def quote_span(thread: Thread, ref: dict[str, str]) -> tuple[str, int, int]:
    """``(item id, start, end)`` of a gold quote; raises ``ValueError`` if it is not verbatim."""
    items = item_index(thread)
    x = items.get(ref["item"])
    if x is None:
        raise ValueError(f"gold quote names item {ref['item']!r}, not in the thread")
    start = x.text.find(ref["quote"])
    if start < 0:
        raise ValueError(f"gold quote is not verbatim in {ref['item']}: {ref['quote'][:60]!r}")
    return x.id, start, start + len(ref["quote"])


def gold_quotes(gold: dict[str, Any]) -> Iterator[dict[str, str]]:
    """Every ``{"item", "quote"}`` reference in a gold file."""
    for d in gold.get("disagreements", ()):
        yield from d.get("a", ())
        yield from d.get("b", ())
    for a in gold.get("agreements", ()):
        yield {"item": a["item"], "quote": a["quote"]}
    for c in gold.get("cruxes", ()):
        yield from c.get("a", ())
        yield from c.get("b", ())
        if c.get("stated_quote"):
            yield c["stated_quote"]


# --- pairs ---------------------------------------------------------------------------------
def gold_pairs(gold: dict[str, Any]) -> set[Pair]:
    """The gold disagreement pairs."""
    return {pair(*d["pair"]) for d in gold.get("disagreements", ())}


def _names(m_or_t: CruxMap | Thread) -> dict[str, str]:
    t = m_or_t.thread if isinstance(m_or_t, CruxMap) else m_or_t
    return {a.id: a.name for a in t.authors}


def disagreement_pairs(m: CruxMap) -> dict[str, set[Pair]]:
    """Reported pairs per Disagreement id (see the module docstring)."""
    names = _names(m)
    author_of = {c.id: names.get(c.author_id) for c in m.claims}
    out: dict[str, set[Pair]] = {}
    for d in m.disagreements:
        sides = {s: {author_of.get(cid) for cid, sd in d.sides if sd == s} - {None} for s in ("a", "b")}
        out[d.id] = {pair(x, y) for x in sides["a"] for y in sides["b"] if _key(x) != _key(y)}
    return out


def reported_pairs(m: CruxMap) -> set[Pair]:
    """Every author pair that some reported Disagreement opposes."""
    return set().union(*disagreement_pairs(m).values()) if m.disagreements else set()


def baseline_pairs(thread: Thread) -> set[Pair]:
    """"Every reply to another author is a disagreement": (reply author, parent author) pairs."""
    names = _names(thread)
    author = {x.id: names.get(x.author_id) for x in thread.items()}
    out = set()
    for c in thread.comments:
        a, b = author.get(c.id), author.get(c.parent_id)
        if a and b and _key(a) != _key(b):
            out.add(pair(a, b))
    return out


def score_pairs(reported: set[Pair], gold: set[Pair]) -> dict[str, int]:
    """Counts for recall (hit / gold) and precision (hit / reported)."""
    return {"gold": len(gold), "reported": len(reported), "hit": len(reported & gold)}


# --- agreements and cruxes --------------------------------------------------------------
def agreements_as_disputes(m: CruxMap, gold: dict[str, Any]) -> dict[str, int]:
    """Gold agreements that the map reports as a dispute (see the module docstring)."""
    names = _names(m)
    claims = {c.id: c for c in m.claims}
    n = hit = 0
    for a in gold.get("agreements", ()):
        n += 1
        span = quote_span(m.thread, a)
        target = _key(a["to"])
        for d in m.disagreements:
            agreeing = {sd for cid, sd in d.sides if cid in claims and _overlaps(claims[cid], span)}
            others = {_key(names.get(claims[cid].author_id)) for cid, sd in d.sides
                      if cid in claims and sd not in agreeing}
            if agreeing and target in others:
                hit += 1
                break
    return {"agreements": n, "as_disputes": hit}


def _overlaps(claim, span: tuple[str, int, int]) -> bool:
    item, start, end = span
    return claim.source_id == item and claim.start < end and start < claim.end


def cruxes_located(m: CruxMap, gold: dict[str, Any]) -> dict[str, int]:
    """Gold cruxes located by a reported crux, and stated gold cruxes kept."""
    by_disagreement = disagreement_pairs(m)
    claims = {c.id: c for c in m.claims}
    sides = {d.id: [claims[cid] for cid, _ in d.sides if cid in claims] for d in m.disagreements}
    crux_claims = [c for c in m.claims if c.role == "crux"]
    located = stated = kept = 0
    for g in gold.get("cruxes", ()):
        pairs = {pair(*p) for p in g.get("pairs", ())}
        spans = [quote_span(m.thread, q) for q in list(g.get("a", ())) + list(g.get("b", ()))]
        if any(by_disagreement.get(did, set()) & pairs
               and any(_overlaps(c, s) for c in sides.get(did, ()) for s in spans)
               for x in m.cruxes for did in x.disagreement_ids):
            located += 1
        if g.get("stated"):
            stated += 1
            q = g["stated_quote"]
            span = quote_span(m.thread, q)
            if any(_overlaps(c, span) for c in crux_claims) or \
                    any(overlap(q["quote"], x.text) >= 0.5 for x in m.cruxes):
                kept += 1
    return {"gold_cruxes": len(gold.get("cruxes", ())), "located": located,
            "stated": stated, "stated_kept": kept, "reported_cruxes": len(m.cruxes)}


# --- one thread, many threads ----------------------------------------------------------------
def score_thread(m: CruxMap, gold: dict[str, Any]) -> dict[str, Any]:
    """Every count for one decomposed thread (pure: the map and the gold in, counts out)."""
    g = gold_pairs(gold)
    return {"comments": len(m.thread.comments) + len(m.thread.posts),
            "authors": len(m.thread.authors),
            "pairs": score_pairs(reported_pairs(m), g),
            "baseline": score_pairs(baseline_pairs(m.thread), g),
            **agreements_as_disputes(m, gold), **cruxes_located(m, gold)}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def summarize(counts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Pool per-thread counts (micro-averaged) into the reported figures.

    >>> summarize([{"comments": 3, "authors": 2, "pairs": {"gold": 2, "reported": 1, "hit": 1},
    ...             "baseline": {"gold": 2, "reported": 2, "hit": 2}, "agreements": 1,
    ...             "as_disputes": 0, "gold_cruxes": 1, "located": 0, "stated": 0,
    ...             "stated_kept": 0, "reported_cruxes": 0}])["recall"]
    0.5
    """
    counts = list(counts)
    tot = lambda *k: sum(_dig(c, k) for c in counts)  # noqa: E731
    return {"threads": len(counts), "comments": tot("comments"),
            "recall": _ratio(tot("pairs", "hit"), tot("pairs", "gold")),
            "precision": _ratio(tot("pairs", "hit"), tot("pairs", "reported")),
            "baseline_recall": _ratio(tot("baseline", "hit"), tot("baseline", "gold")),
            "baseline_precision": _ratio(tot("baseline", "hit"), tot("baseline", "reported")),
            "gold_pairs": tot("pairs", "gold"), "reported_pairs": tot("pairs", "reported"),
            "agreements": tot("agreements"), "agreements_as_disputes": tot("as_disputes"),
            "agreements_as_disputes_rate": _ratio(tot("as_disputes"), tot("agreements")),
            "gold_cruxes": tot("gold_cruxes"), "cruxes_located": tot("located"),
            "cruxes_located_rate": _ratio(tot("located"), tot("gold_cruxes")),
            "stated_cruxes": tot("stated"), "stated_kept": tot("stated_kept"),
            "reported_cruxes": tot("reported_cruxes")}


def _dig(d: dict[str, Any], keys: tuple[str, ...]) -> int:
    for k in keys:
        d = d[k]
    return d  # type: ignore[return-value]


def load_gold(path: Path | str, texts: Path | str | None = None) -> dict[str, Any]:
    """A gold file, with ``thread`` resolved to the thread file: under ``texts`` (the folder
    of thread texts, laid out like ``devset/``), else beside the gold file."""
    path = Path(path)
    gold = json.loads(path.read_text(encoding="utf-8"))
    where = Path(texts) / path.parent.name if texts else path.parent
    gold["thread_path"] = str(where / gold["thread"])
    return gold


#: Where the thread texts are, when not beside the gold: they are third-party text, so they are
#: not committed with the gold (see devset/README.md).
TEXTS_ENV = "CRUXMAP_DEVSET_TEXTS"


def texts_dir(devset_dir: Path | str) -> Path:
    """The folder of the dev set's thread texts: ``$CRUXMAP_DEVSET_TEXTS``, else
    ``shared/data/devset`` beside the checkout, else ``devset_dir`` itself (a local copy)."""
    import os

    if os.environ.get(TEXTS_ENV):
        return Path(os.environ[TEXTS_ENV])
    shared = Path(devset_dir).resolve().parent.parent / "shared" / "data" / "devset"
    return shared if shared.is_dir() else Path(devset_dir)


def eval_devset(devset_dir: Path | str, texts: Path | str | None = None) -> dict[str, Any]:
    """Decompose every gold thread under ``devset_dir`` with the default settings and score it.

    Returns ``{"threads": {name: counts}, "tune": pooled, "test": pooled, "all": pooled,
    "seconds", "cpu_seconds", "comments_per_second", "comments_per_cpu_second"}`` (the time is
    the decomposition alone, not reading); a missing folder is reported as ``{"missing": path}``.
    ``texts`` is the folder of thread texts (default :func:`texts_dir`); a gold file whose
    thread text is not there is listed under ``"texts_missing"`` and not scored.
    """
    from cruxmap.decompose.pipeline import decompose  # late: the pipeline imports every stage
    from cruxmap.loaders import read

    root = Path(devset_dir)
    golds = sorted(root.glob("*/*.gold.json"))
    if not golds:
        return {"missing": str(root)}
    texts = Path(texts) if texts else texts_dir(root)
    per: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    seconds = cpu = 0.0
    for path in golds:
        gold = load_gold(path, texts)
        if not Path(gold["thread_path"]).is_file():
            missing.append(gold["thread_path"])
            continue
        thread = read(gold["thread_path"])
        started, cpu_started = time.perf_counter(), time.process_time()
        m = decompose(thread, llm=False)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        counts = score_thread(m, gold)
        counts.update(split=gold["split"], forum=gold["forum"])
        per[path.name.removesuffix(".gold.json")] = counts
    if not per:
        return {"missing": str(texts), "texts_missing": missing}
    out: dict[str, Any] = {"threads": per, "texts_missing": missing}
    for split in SPLITS:
        out[split] = summarize(c for c in per.values() if c["split"] == split)
    out["all"] = summarize(per.values())
    out["seconds"] = round(seconds, 2)
    out["cpu_seconds"] = round(cpu, 2)
    out["comments_per_second"] = round(out["all"]["comments"] / seconds, 1) if seconds else None
    out["comments_per_cpu_second"] = round(out["all"]["comments"] / cpu, 1) if cpu else None
    return out


def _fmt(x: Any) -> str:
    return "–" if x is None else f"{x:.2f}" if isinstance(x, float) else str(x)


def markdown(results: dict[str, Any]) -> str:
    """The EVAL.md tables for :func:`eval_devset` results (per thread, then pooled per split)."""
    head = ("| thread | split | forum | items | gold pairs | R | P | baseline R | baseline P "
            "| agreements as disputes | gold cruxes located | stated kept | reported cruxes |")
    lines = [head, "|" + "---|" * 13]
    for name, c in results["threads"].items():
        s = summarize([c])
        lines.append(f"| {name} | {c['split']} | {c['forum']} | {c['comments']} | {c['pairs']['gold']} "
                     f"| {_fmt(s['recall'])} | {_fmt(s['precision'])} | {_fmt(s['baseline_recall'])} "
                     f"| {_fmt(s['baseline_precision'])} | {c['as_disputes']}/{c['agreements']} "
                     f"| {c['located']}/{c['gold_cruxes']} | {c['stated_kept']}/{c['stated']} "
                     f"| {c['reported_cruxes']} |")
    lines += ["", "| pooled | threads | items | R | P | baseline R | baseline P "
              "| agreements as disputes | gold cruxes located | stated kept | reported cruxes |",
              "|" + "---|" * 11]
    for split in (*SPLITS, "all"):
        s = results[split]
        lines.append(f"| **{split}** | {s['threads']} | {s['comments']} | {_fmt(s['recall'])} "
                     f"| {_fmt(s['precision'])} | {_fmt(s['baseline_recall'])} | {_fmt(s['baseline_precision'])} "
                     f"| {s['agreements_as_disputes']}/{s['agreements']} ({_fmt(s['agreements_as_disputes_rate'])}) "
                     f"| {s['cruxes_located']}/{s['gold_cruxes']} ({_fmt(s['cruxes_located_rate'])}) "
                     f"| {s['stated_kept']}/{s['stated_cruxes']} | {s['reported_cruxes']} |")
    lines += ["", f"Decomposition time {results['seconds']} s wall, {results['cpu_seconds']} s CPU for "
              f"{results['all']['comments']} items (posts and comments): {results['comments_per_second']} "
              f"comments/s wall, {results['comments_per_cpu_second']} per CPU second."]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m cruxmap.decompose.threads_eval [DEVSET_DIR]
    import sys

    default = Path(__file__).resolve().parents[1] / "devset"
    print(markdown(eval_devset(sys.argv[1] if len(sys.argv) > 1 else default)))
