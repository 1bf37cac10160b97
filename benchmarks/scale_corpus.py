"""Seeded forum corpora of any size, built from real comments and sentences: JSON Lines reply trees.

Run:  python benchmarks/scale_corpus.py --comments 100000 -o corpus.jsonl [--seed 15]

The text is real third-party forum text from ``../shared/data`` (measurement only, never
shipped): Reddit comments and replies from DEBAGREEMENT, the ChangeMyView posts of CMV-modes
v2.0, and the one-sentence claims of IBM claim-stance. Only the shape is synthetic, and it
is drawn from a seeded generator, so a size and a seed always give the same bytes:

* threads of heavy-tailed size (log-normal, median 40 comments, sigma 1.2, up to 5,000), so the
  corpus has a few very large threads beside many small ones;
* a reply answers the post (35%) or an earlier comment, mostly a recent one, so reply
  chains are deep where the discussion is;
* a reply's text is a real reply (a DEBAGREEMENT child, with its stance cues), a
  top-level comment's a real comment or CMV post; one in three gets one to three more real
  sentences appended, so texts rarely repeat;
* authors: about one per nine comments (11,000 for 100k comments), drawn with a Zipf law,
  so a few write a lot; names are the corpora's own user names, numbered past their count.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SITE = "scale"


@dataclass(frozen=True)
class Texts:
    """The real text the corpus is made of."""

    posts: tuple[str, ...]      # comments that start a discussion (parents, CMV posts)
    replies: tuple[str, ...]    # comments that answer one (DEBAGREEMENT children, CMV replies)
    sentences: tuple[str, ...]  # single sentences to append (IBM claims)
    names: tuple[str, ...]      # user names


def _cmv_blocks(folder: Path) -> Iterator[tuple[int, str, str]]:
    """(position in its thread, author, text) of each CMV-modes v2.0 content block."""
    for meta in sorted(folder.glob("*/*.metadata")):
        text = meta.with_suffix(".txt").read_text(encoding="utf-8")
        blocks = [line.split() for line in meta.read_text(encoding="utf-8").splitlines()
                  if line.startswith("Content ")]
        for i, parts in enumerate(blocks):
            start, end = int(parts[-2]), int(parts[-1])
            yield i, parts[2], text[start:end].strip()


def load_texts(data: Path = DATA) -> Texts:
    """Read the corpora once (a few MB)."""
    posts: dict[str, None] = {}
    replies: dict[str, None] = {}
    names: dict[str, None] = {}
    with open(data / "debagreement" / "debagreement_test_split.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            posts.setdefault(r["body_parent"].strip())
            replies.setdefault(r["body_child"].strip())
            names.setdefault(r["author_parent"])
            names.setdefault(r["author_child"])
    for i, author, text in _cmv_blocks(data / "cmv-modes" / "v2.0"):
        (posts if i == 0 else replies).setdefault(text)
        names.setdefault(author)
    with open(data / "ibm-claim-stance" / "claim_stance_dataset_v1.csv", encoding="utf-8") as fh:
        sentences = {r["claims.claimCorrectedText"].strip(): None for r in csv.DictReader(fh)}
    def keep(xs: dict[str, None]) -> tuple[str, ...]:
        return tuple(x for x in xs if x and not x.startswith("[deleted"))
    clean = tuple(n for n in names if n and n not in ("[deleted]", "AutoModerator"))
    return Texts(keep(posts), keep(replies), keep(sentences), clean)


def _title(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first[:120]


def records(n_comments: int, seed: int = 15, texts: Texts | None = None) -> Iterator[dict]:
    """The JSON Lines records (posts and comments, in thread order) of a corpus of ``n_comments``."""
    texts = texts or load_texts()
    rnd = random.Random(seed)
    n_authors = max(20, n_comments // 9)
    names = [texts.names[i % len(texts.names)] + (f"_{i // len(texts.names)}" if i >= len(texts.names) else "")
             for i in range(n_authors)]
    # Zipf weights over authors, drawn through a cumulative table (bisect on a float)
    weights = [1.0 / (i + 1) ** 0.85 for i in range(n_authors)]
    total = sum(weights)
    cum, acc = [], 0.0
    for w in weights:
        acc += w / total
        cum.append(acc)
    from bisect import bisect_left

    def author() -> str:
        return names[min(bisect_left(cum, rnd.random()), n_authors - 1)]

    def text(pool: tuple[str, ...]) -> str:
        body = rnd.choice(pool)
        if rnd.random() < 1 / 3:
            body += " " + " ".join(rnd.choice(texts.sentences) for _ in range(rnd.randint(1, 3)))
        return body

    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    done, t = 0, 0
    while done < n_comments:
        size = min(n_comments - done, max(1, min(5000, int(math.exp(rnd.gauss(math.log(40), 1.2))))))
        pid = f"t{t}"
        body = text(texts.posts)
        yield {"id": pid, "site": SITE, "author": author(), "title": _title(body), "text": body,
               "posted_at": when.isoformat()}
        ids: list[str] = []
        for k in range(size):
            when += timedelta(seconds=rnd.randint(5, 900))
            if not ids or rnd.random() < 0.35:
                parent, pool = pid, texts.posts + texts.replies
            else:
                back = min(len(ids) - 1, int(rnd.expovariate(1 / 6)))
                parent, pool = ids[-1 - back], texts.replies
            cid = f"t{t}c{k}"
            ids.append(cid)
            yield {"id": cid, "site": SITE, "post_id": pid, "parent_id": parent, "author": author(),
                   "text": text(pool), "posted_at": when.isoformat()}
        done += size
        t += 1


def write(path: Path, n_comments: int, seed: int = 15) -> dict[str, int]:
    """Write the corpus to ``path``; returns ``{"posts", "comments", "bytes"}``."""
    posts = comments = 0
    with open(path, "w", encoding="utf-8") as out:
        for r in records(n_comments, seed):
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            if "post_id" in r:
                comments += 1
            else:
                posts += 1
    return {"posts": posts, "comments": comments, "bytes": path.stat().st_size}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    info = write(args.output, args.comments, args.seed)
    print(f"{args.output}: {info['posts']:,} posts, {info['comments']:,} comments, "
          f"{info['bytes'] / 2**20:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
