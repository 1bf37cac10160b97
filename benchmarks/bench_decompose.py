"""Offline decomposition speed and memory: comments/s, time per stage, peak RSS.

Run:  python benchmarks/bench_decompose.py [--comments 100000] [--per-thread 50] [--stance-encoder minilm]

Threads are built from real Reddit comment/reply pairs (DEBAGREEMENT, in ../shared/data,
measurement only): each thread is a post and ``per-thread`` replies, some replying to
each other, so stance, targets, disagreements and cruxes all have work to do. Threads go
through :func:`cruxmap.decompose.pipeline.decompose` one by one, as `cruxmap ingest` does with
files and JSON Lines batches.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cruxmap.decompose.minilm import load_stance_encoder  # noqa: E402
from cruxmap.decompose.pipeline import decompose  # noqa: E402
from cruxmap.graph.schema import Author, Comment, Post, Thread, author_id  # noqa: E402

PAIRS = ROOT.parent / "shared" / "data" / "debagreement" / "debagreement_test_split.csv"


def threads(n_comments: int, per_thread: int):
    with open(PAIRS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    done, t = 0, 0
    while done < n_comments:
        base = rows[(t * per_thread) % len(rows)]
        post_id = f"p{t}"
        authors = {base["author_parent"]}
        post = Post(id=post_id, text=base["body_parent"], title=f"Thread {t}",
                    author_id=author_id(base["author_parent"]))
        comments = []
        for k in range(min(per_thread, n_comments - done)):
            r = rows[(t * per_thread + k) % len(rows)]
            parent = comments[-1].id if comments and k % 3 else post_id
            cid = f"c{t}_{k}"
            authors.add(r["author_child"])
            comments.append(Comment(id=cid, text=r["body_child"], post_id=post_id, parent_id=parent,
                                    author_id=author_id(r["author_child"])))
        done += len(comments)
        yield Thread(f"bench{t}", (post,), tuple(comments), tuple(Author(author_id(a), a) for a in authors))
        t += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--per-thread", type=int, default=50)
    ap.add_argument("--stance-encoder", choices=("none", "minilm"), default="none",
                    help="the optional encoder the stance model also reads")
    args = ap.parse_args()
    encoder = load_stance_encoder(args.stance_encoder)
    timings: dict[str, float] = {}
    claims = items = 0
    start = time.perf_counter()
    for i, thread in enumerate(threads(args.comments, args.per_thread)):
        m = decompose(thread, timings, encoder=encoder)
        claims += len(m.claims)
        items += len(thread.comments) + len(thread.posts)
        if i % 200 == 0:
            print(f"\r{items:,} items, {items / (time.perf_counter() - start):,.0f}/s", end="", file=sys.stderr)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(file=sys.stderr)
    print(f"### Offline decomposition — {items:,} posts+comments ({claims:,} claims)\n")
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}; date "
          f"{time.strftime('%Y-%m-%d')}; command `python benchmarks/bench_decompose.py --comments {args.comments}"
          + (f" --stance-encoder {args.stance_encoder}" if encoder else "") + "`\n")
    print("| items/s | peak RSS (MB) | " + " | ".join(f"{k} (s)" for k in timings) + " |")
    print("|---|---|" + "---|" * len(timings))
    print(f"| {items / wall:,.0f} | {peak:,.0f} | " + " | ".join(f"{v:.1f}" for v in timings.values()) + " |")


if __name__ == "__main__":
    main()
