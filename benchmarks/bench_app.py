"""The app's speed: each page's full script run on the demo map and on a 5,000-claim map.

Run:  python benchmarks/bench_app.py [--claims 5000]

Uses Streamlit's AppTest (the real app script, no browser), so the time is what the
server spends on a rerun of each page: store queries, analysis and building elements.
The first render in a real browser is measured by tests/test_browser.py, which writes
artifacts/first_render.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench_stores import synthetic_map  # noqa: E402
from cruxmap.graph.nx_store import NxStore  # noqa: E402
from cruxmap.ui.ingest import ingest  # noqa: E402

APP = ROOT / "ui" / "app.py"
PAGES = ("overview", "divergence", "cruxes", "thread", "query", "export")


def page_times(db: Path, runs: int = 3) -> dict[str, float]:
    os.environ["CRUXMAP_DB"] = str(db)
    out = {}
    for page in PAGES:
        times = []
        for _ in range(runs):
            at = AppTest.from_file(str(APP), default_timeout=120)
            at.run()  # the overview, as the app opens
            t = time.perf_counter()
            if page == "overview":
                at.run()
            else:
                at.switch_page(f"app_pages/{page}.py").run()
            times.append(time.perf_counter() - t)
            if at.exception:
                raise SystemExit(f"{page}: {at.exception[0].message}")
        out[page] = statistics.median(times)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=5000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo, big = Path(tmp) / "demo.db", Path(tmp) / "big.db"
        with NxStore(demo) as s:
            ingest(s, sorted((ROOT / "ui" / "demo_data").glob("*.jsonl")))
        with NxStore(big) as s:
            s.upsert_map(synthetic_map(args.claims))
        small, large = page_times(demo), page_times(big)
    print("### App pages — median of 3 runs of each page after the app opened (AppTest)\n")
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}; date "
          f"{time.strftime('%Y-%m-%d')}; command `python benchmarks/bench_app.py --claims {args.claims}`\n")
    print(f"| page | demo map (s) | {args.claims:,}-claim map (s) |")
    print("|---|---|---|")
    for page in PAGES:
        print(f"| {page} | {small[page]:.2f} | {large[page]:.2f} |")


if __name__ == "__main__":
    main()
