"""Bulk load and named queries on both stores, side by side, on the same synthetic map.

Run:  python benchmarks/bench_stores.py [--claims 100000] [--no-neo4j]

The map is built from the schema's own records (authors, posts, comments, claims with
spans, ATTACKS/SUPPORTS with confidence and evidence, disagreements, cruxes, topics), so
both stores receive exactly what an ingest would give them. Neo4j is the real server the
tests use (tests/neo4j_server), started and stopped here.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cruxmap.graph.nx_store import NxStore  # noqa: E402
from cruxmap.graph.schema import (  # noqa: E402
    Author, Claim, Comment, Crux, CruxMap, Disagreement, Post, Stance, Thread, Topic, author_id, claim_id,
    to_graph,
)

SENTENCE = "Claim number {i} says that scaling {w} matters more than {v} for alignment."
WORDS = ["compute", "data", "interpretability", "oversight", "evaluation", "agency", "planning"]


def synthetic_map(n_claims: int, seed: int = 7) -> CruxMap:
    """A map with ``n_claims`` claims: 4 claims per comment, 40 comments per post, 200 authors."""
    rnd = random.Random(seed)
    authors = [Author(author_id(f"Author {i}"), f"Author {i}") for i in range(200)]
    posts, comments, claims, stances = [], [], [], []
    per_item = 4
    n_items = n_claims // per_item
    for i in range(n_items):
        a = authors[rnd.randrange(len(authors))].id
        text = " ".join(SENTENCE.format(i=i * per_item + k, w=rnd.choice(WORDS), v=rnd.choice(WORDS))
                        for k in range(per_item))
        if i % 40 == 0:
            item = Post(id=f"post:{i}", text=text, title=f"Post {i}", author_id=a, url=f"https://x.org/p/{i}")
            posts.append(item)
            post_id = item.id
        else:
            parent = comments[-1].id if comments and rnd.random() < 0.5 and comments[-1].post_id == post_id \
                else post_id
            item = Comment(id=f"comment:{i}", text=text, post_id=post_id, parent_id=parent, author_id=a,
                           url=f"https://x.org/c/{i}", score=rnd.randrange(-5, 50))
            comments.append(item)
        pos = 0
        mine = []
        for k in range(per_item):
            end = text.index(".", pos) + 1
            c = Claim(claim_id(item.id, pos, end), item.id, pos, end, text[pos:end], a)
            mine.append(c)
            pos = end + 1
        if claims and isinstance(item, Comment):
            target = claims[-rnd.randrange(1, min(len(claims), 8) + 1)]
            stance = "disagree" if rnd.random() < 0.6 else "agree"
            stances.append(Stance(mine[0].id, target.id, stance, round(rnd.uniform(0.5, 0.95), 3),
                                  f"cue: '{'I disagree' if stance == 'disagree' else 'Agreed'}'"))
        claims.extend(mine)
    attacks = [s for s in stances if s.stance == "disagree"]
    by_id = {c.id: c for c in claims}
    disagreements = [Disagreement(f"disagreement:{i}", f"Disagreement {i}", rnd.choice(["open", "conceded"]),
                                  ((s.target_claim_id, "a"), (s.source_claim_id, "b")), s.confidence)
                     for i, s in enumerate(attacks[::5]) if by_id[s.target_claim_id].author_id
                     != by_id[s.source_claim_id].author_id]
    cruxes = [Crux(f"crux:{i}", f"Does {rnd.choice(WORDS)} matter more than {rnd.choice(WORDS)}?",
                   round(rnd.random(), 3), (d.id,), "implicit") for i, d in enumerate(disagreements[::3])]
    topics = [Topic(f"topic:{w}", w, tuple(c.id for c in claims if f"scaling {w} " in c.text)) for w in WORDS]
    return CruxMap(Thread("bench", tuple(posts), tuple(comments), tuple(authors)), tuple(claims),
                   tuple(stances), tuple(disagreements), tuple(cruxes), tuple(topics))


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def run_queries(store, pair: tuple[str, str]) -> dict[str, float]:
    out = {}
    out["authors"] = timed(store.authors)[0]
    out["disagreements --between"] = timed(lambda: store.disagreements(between=pair))[0]
    out["cruxes (top 20)"] = timed(lambda: store.cruxes(limit=20))[0]
    out["claims --author"] = timed(lambda: store.claims(author=pair[0]))[0]
    out["divergence matrix"] = timed(store.divergence)[0]
    out["neighbourhood (2 hops)"] = timed(lambda: store.neighbourhood("crux:0", hops=2))[0]
    return out


def bench(store, nodes, rels, label: str) -> dict:
    n = len(nodes) + len(rels)
    load, _ = timed(lambda: store.upsert(nodes, rels))
    again, _ = timed(lambda: store.upsert(nodes, rels))
    first_query, _ = timed(store.stats)
    pair = (store.divergence()[0]["a_name"], store.divergence()[0]["b_name"])
    queries = run_queries(store, pair)
    return {"store": label, "records": n, "load_s": load, "rate": n / load, "reload_s": again,
            "first_query_s": first_query, "queries": queries}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--no-neo4j", action="store_true")
    args = ap.parse_args()
    t, m = timed(lambda: synthetic_map(args.claims))
    nodes, rels = to_graph(m)
    print(f"map: {len(m.claims)} claims, {len(nodes)} nodes, {len(rels)} relationships (built in {t:.1f}s)",
          file=sys.stderr)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        with NxStore(Path(tmp) / "bench.db") as s:
            results.append(bench(s, nodes, rels, "embedded (SQLite + NetworkX)"))
    if not args.no_neo4j:
        sys.path.insert(0, str(ROOT / "tests" / "neo4j_server"))
        import server  # the same launcher the tests use

        from cruxmap.graph.neo4j_store import Neo4jStore
        uri, proc = server.start_neo4j(timeout=180)
        try:
            s = Neo4jStore(uri, user=server.USER, password=server.PASSWORD, batch_size=5000)
            results.append(bench(s, nodes, rels, "Neo4j 5.26 (bolt, 1 server)"))
            Neo4jStore.close_all()
        finally:
            server.stop_neo4j(proc)
    print(f"\n### Stores side by side — {len(m.claims):,} claims, {len(nodes) + len(rels):,} records\n")
    print(f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
          f"date {time.strftime('%Y-%m-%d')}; command `python benchmarks/bench_stores.py --claims {args.claims}`\n")
    head = "| | " + " | ".join(r["store"] for r in results) + " |"
    print(head)
    print("|---" * (len(results) + 1) + "|")
    print("| bulk load (s) | " + " | ".join(f"{r['load_s']:.1f}" for r in results) + " |")
    print("| nodes+relationships/s | " + " | ".join(f"{r['rate']:,.0f}" for r in results) + " |")
    print("| re-ingest of the same map (s) | " + " | ".join(f"{r['reload_s']:.1f}" for r in results) + " |")
    for q in results[0]["queries"]:
        print(f"| {q} (ms) | " + " | ".join(f"{r['queries'][q] * 1000:,.0f}" for r in results) + " |")


if __name__ == "__main__":
    main()
