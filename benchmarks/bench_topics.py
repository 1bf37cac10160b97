"""The topic stage's speed on real discussion text: claims/s over the CMV-modes v2.0 threads.

Run:  python benchmarks/bench_topics.py [--data ../shared/data] [--runs 3]

Each thread (real r/ChangeMyView text, in ../shared/data, measurement only) is decomposed once;
then :func:`cruxmap.decompose.topics.find_topics` alone runs over every thread, ``runs`` times,
and the best run is reported, with the topics of the two largest threads.
"""

from __future__ import annotations

import argparse
import glob
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cruxmap import loaders  # noqa: E402
from cruxmap.decompose.pipeline import decompose  # noqa: E402
from cruxmap.decompose.topics import find_topics  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    files = sorted(glob.glob(f"{args.data}/cmv-modes/v2.0/*/*.txt"), key=os.path.getsize)
    maps = [decompose(loaders.read(f, "cmv")) for f in files]
    claims = sum(len(m.claims) for m in maps)
    best = min(_timed(maps) for _ in range(args.runs))
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}; load "
          f"{os.getloadavg()[0]:.1f}; date {time.strftime('%Y-%m-%d')}")
    print(f"topic stage: {len(maps)} threads, {claims:,} claims in {best:.2f} s = {claims / best:,.0f} claims/s")
    for f, m in list(zip(files, maps))[-2:]:
        print(f"{Path(f).parent.name}/{Path(f).name} ({len(m.claims)} claims): {[t.label for t in find_topics(m)]}")


def _timed(maps) -> float:
    t = time.perf_counter()
    for m in maps:
        find_topics(m)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
