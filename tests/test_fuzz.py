"""Every loader against a seeded mutator over real files (issue 12, item 6).

For each loader, ``CASES`` inputs (10,000 by default, ``CRUXMAP_FUZZ_CASES`` overrides; CI runs
the default) are made from real files of its format by a seeded random mutator: byte flips,
deletions, duplications, truncation, splices of two seeds, and insertions of the tokens that
broke loaders before (deep brackets, ``NaN``, ``1e400``, huge integers, lone surrogates, YAML
aliases, control characters, cycles of ids). Each case must either

* give a valid map (claims are exact spans of their post or comment, ids unique, every
  relationship's ends present, every string storable as UTF-8), or
* raise one :class:`~cruxmap.graph.errors.CruxmapError` whose message is one line naming the
  input, and not the reading layer's safety net (``loaders.UNEXPECTED``),

within a per-case time budget. A failure prints the seed and case number, so it can be replayed.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from cruxmap import loaders
from cruxmap.graph.errors import CruxmapError
from cruxmap.graph.exports import export
from cruxmap.graph.schema import CruxMap, Thread, to_graph
from cruxmap.graph.store import open_store
from cruxmap.loaders import cmv
from tests.sample_map import sample_map

DATA = Path(__file__).parent / "data"
CASES = int(os.environ.get("CRUXMAP_FUZZ_CASES", "10000"))
SEED = int(os.environ.get("CRUXMAP_FUZZ_SEED", "12"))
#: No case of these small inputs may take longer than this (a quadratic path takes minutes).
CASE_BUDGET = 5.0
SOURCE = "fuzz-input"

TOKENS = ["{", "}", "[", "]", "[" * 300, "{" * 300, "]" * 50, '"', "\\", "\\ud800", "\\udfff", "\ud800",
          "NaN", "Infinity", "-Infinity", "1e400", "9" * 5000, "-0", "null", "true", "[]", "{}", ",", ":",
          "\n", "\n\n", "\r\n", "\t", "\x00", "\x1b[2J", "\u202e", "\ufeff", "===\n", "&a ", "*a ",
          "#", "> ", "<", ">", "</", "<!--", "]]>", "&amp;", "&#0;", "&lol;", "'", "0", "-1",
          "99999999999999999999", "1e20", "\"id\"", "\"parent_id\"", "\"t1_x\"", "\"nodeID\"",
          "\"start\": [0]", "{confidence: [1,2]}", "-> ", "+> ", "<- ", "1.1. Pro: ", "1.1. Con: ",
          "->  See 1.", "\"kind\": \"t1\"", "\"replies\": ", "\"label\": \"Claim\""]


def mutate(rng: random.Random, seeds: list[str]) -> str:
    """One mutated input: 1-4 edits of a random seed."""
    text = rng.choice(seeds)
    for _ in range(rng.randint(1, 4)):
        n = len(text)
        at = rng.randrange(n + 1)
        op = rng.random()
        if op < 0.30:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif op < 0.45 and n:
            text = text[:at] + text[at + rng.randint(1, 64):]
        elif op < 0.55 and n:
            text = text[:at] + chr(rng.randrange(0x20, 0x7f) if rng.random() < 0.8 else rng.randrange(0, 0x3000)) \
                + text[at + 1:]
        elif op < 0.65 and n:
            j = min(n, at + rng.randint(1, 200))
            text = text[:j] + text[at:j] * rng.randint(1, 3) + text[j:]
        elif op < 0.72:
            text = text[:at]
        elif op < 0.82:
            other = rng.choice(seeds)
            k = rng.randrange(len(other) + 1)
            text = text[:at] + other[k:k + rng.randint(1, 400)] + text[at:]
        elif op < 0.90 and n:  # swap two ids/values: duplicates and cycles
            j = rng.randrange(n)
            a, b = sorted((at, j))
            text = text[:a] + text[b:b + 12] + text[a + 12:b] + text[a:a + 12] + text[b + 12:]
        else:
            text = text[:at] + rng.choice(TOKENS) * rng.randint(2, 40) + text[at:]
    return text


def check_valid(result) -> None:
    """What every map a loader returns must satisfy (a store can hold it, exports can write it)."""
    assert isinstance(result, (Thread, CruxMap)), type(result)
    m = result if isinstance(result, CruxMap) else CruxMap(thread=result)
    texts = {it.id: it.text for it in m.thread.items()}
    assert len(texts) == len(list(m.thread.items())), "duplicate item ids"
    for c in m.claims:
        assert c.source_id in texts and texts[c.source_id][c.start:c.end] == c.text, c
    nodes, rels = to_graph(m)
    ids = {n["id"] for n in nodes}
    for r in rels:
        assert r["start"] in ids or r["type"] == "REPLIES_TO", r  # a reply may point at a stored parent
        assert r["end"] in ids or r["type"] == "REPLIES_TO", r
    for n in nodes:
        for v in n["properties"].values():
            for s in (v if isinstance(v, list) else [v]):
                if isinstance(s, str):
                    s.encode("utf-8")  # no lone surrogate: a store can hold it
                elif isinstance(s, float):
                    assert s == s and abs(s) != float("inf"), n


def check_error(e: CruxmapError) -> None:
    message = str(e)
    assert "\n" not in message, message
    assert SOURCE in message, message
    assert loaders.UNEXPECTED not in message, message


def seeds_for(name: str, shared: Path | None) -> list[str]:
    def read(*paths: Path) -> list[str]:
        return [p.read_text(encoding="utf-8") for p in paths]

    m = sample_map()
    if name == "cruxmap-json":
        return ["".join(export(_store_with(m), "json"))]
    if name == "graphml":
        return ["".join(c.decode() if isinstance(c, bytes) else c for c in export(_store_with(m), "graphml"))]
    if name == "aif":
        return read(DATA / "aif" / "aifdb_nodeset.json") + ["".join(export(_store_with(m), "aif"))]
    if name == "argdown":
        return read(DATA / "argdown" / "school_uniforms.argdown") + ["".join(export(_store_with(m), "argdown"))]
    if name == "kialo":
        return read(DATA / "kialo" / "four_day_week.txt")
    if name == "lesswrong":
        return read(DATA / "lw_post_with_comments.json")
    if name == "reddit":
        return read(DATA / "reddit_thread.json")
    if name == "jsonl":
        return read(DATA / "thread.jsonl")
    if name == "forum-text":
        return read(DATA / "pasted_postpage.txt", DATA / "pasted_frontpage.txt")
    if name == "markdown":
        return read(DATA / "essay.md")
    if name == "arg-microtexts":
        return read(*sorted((shared / "arg-microtexts" / "en").glob("micro_*.xml"))[:3])
    if name == "cmv":
        folder = shared / "cmv-modes" / "v2.0" / "negative"
        return [p.with_suffix(".txt").read_text(encoding="utf-8") + "\0" + p.read_text(encoding="utf-8")
                for p in sorted(folder.glob("*.metadata"))[:2]]
    raise AssertionError(f"no seeds for loader {name}")


_STORES: dict[int, object] = {}


def _store_with(m: CruxMap):
    if id(m) not in _STORES:
        store = open_store(":memory:")
        store.upsert_map(m)
        _STORES[id(m)] = store
    return _STORES[id(m)]


def parse_case(name: str, text: str):
    if name == "cmv":  # the .txt and its .metadata, both fuzzed (the seed joins them with NUL)
        txt, _, meta = loaders._clean_text(text).partition("\0")  # as loaders.parse cleans a paste
        return loaders._guarded(name, SOURCE, lambda: cmv.parse(txt, SOURCE, metadata=meta))
    return loaders.parse(text, fmt=name, source=SOURCE)


@pytest.mark.parametrize("name", list(loaders.loaders()))
def test_loader_survives_the_fuzzer(name, shared_data):
    rng = random.Random(f"{SEED}:{name}")
    seeds = seeds_for(name, shared_data)
    for seed in seeds:  # the seeds themselves read
        try:
            check_valid(parse_case(name, seed))
        except CruxmapError as e:
            check_error(e)
    outcomes = {"map": 0, "error": 0}
    slowest = 0.0
    for case in range(CASES):
        text = mutate(rng, seeds)
        started = time.perf_counter()
        try:
            result = parse_case(name, text)
        except CruxmapError as e:
            try:
                check_error(e)
            except AssertionError as fail:
                raise AssertionError(f"{name} case {case} (seed {SEED}): {fail}\ninput: {text[:300]!r}") from None
            outcomes["error"] += 1
        except Exception as e:  # noqa: BLE001 - the point of the test
            raise AssertionError(f"{name} case {case} (seed {SEED}) raised {type(e).__name__}: {e}\n"
                                 f"input: {text[:300]!r}") from e
        else:
            try:
                check_valid(result)
            except (AssertionError, UnicodeEncodeError) as fail:
                raise AssertionError(f"{name} case {case} (seed {SEED}): invalid map: {fail}\n"
                                     f"input: {text[:300]!r}") from None
            outcomes["map"] += 1
            if outcomes["map"] % 250 == 1:  # now and then all the way into a store
                with open_store(":memory:") as store:
                    nodes, rels = to_graph(result if isinstance(result, CruxMap) else CruxMap(thread=result))
                    store.upsert(nodes, [r for r in rels if r["type"] != "REPLIES_TO" or
                                         r["end"] in {n["id"] for n in nodes}])
        slowest = max(slowest, time.perf_counter() - started)
        assert slowest < CASE_BUDGET, f"{name} case {case} took {slowest:.1f} s\ninput: {text[:300]!r}"
    assert sum(outcomes.values()) == CASES
    print(f"{name}: {CASES} cases, {outcomes}, slowest {slowest * 1000:.0f} ms")
