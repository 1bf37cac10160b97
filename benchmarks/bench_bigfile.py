"""Ingest of a large JSON Lines export: wall time, comments/s and peak memory of `cruxmap ingest`.

Run:  python benchmarks/bench_bigfile.py [--mb 200]

The file is built from real Reddit comment/reply pairs (DEBAGREEMENT, in ../shared/data,
used here for measurement only and never shipped): each pair becomes a post and a reply,
repeated under fresh ids until the file reaches the asked size. The ingest runs as a
child process, as a user would run it, so its peak RSS is the whole command's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT.parent / "shared" / "data" / "debagreement" / "debagreement_test_split.csv"


def write_jsonl(path: Path, megabytes: int) -> int:
    """Write about ``megabytes`` MB of threads; return the number of comments written."""
    with open(PAIRS, encoding="utf-8") as fh:
        pairs = [(r["body_parent"], r["body_child"], r["author_parent"], r["author_child"])
                 for r in csv.DictReader(fh)]
    target, comments, n = megabytes * 1024 * 1024, 0, 0
    with open(path, "w", encoding="utf-8") as out:
        while out.tell() < target:
            parent, child, a, b = pairs[n % len(pairs)]
            pid = f"bench{n}"
            out.write(json.dumps({"id": pid, "author": a, "title": f"Thread {n}", "text": parent,
                                  "site": "bench"}) + "\n")
            out.write(json.dumps({"id": f"{pid}r", "post_id": pid, "parent_id": pid, "author": b,
                                  "text": child, "site": "bench"}) + "\n")
            comments += 1
            n += 1
    return comments


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src, db = Path(tmp) / "big.jsonl", Path(tmp) / "big.db"
        comments = write_jsonl(src, args.mb)
        size = src.stat().st_size
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "cruxmap.ui.cli", "ingest", str(src), "--db", str(db)],
                              cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              stdout=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode:
            sys.exit(f"ingest failed with exit code {proc.returncode}")
        items = 2 * comments
        print(f"### Large JSON Lines ingest — {size / 2**20:.0f} MB, {items:,} posts+comments\n")
        print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}; "
              f"date {time.strftime('%Y-%m-%d')}; command `python benchmarks/bench_bigfile.py --mb {args.mb}`\n")
        print("| wall time (s) | posts+comments/s | peak RSS (MB) | database (MB) |")
        print("|---|---|---|---|")
        print(f"| {wall:.0f} | {items / wall:,.0f} | {peak_mb:,.0f} | {db.stat().st_size / 2**20:,.0f} |")
        print("\n" + proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
