"""Fit the stance feature models on the dev halves and write ``models/stance_features.json``.

Usage (from the repository root, with the corpora in ``../shared/data``)::

    python -m cruxmap.decompose.train_stance [--data ../shared/data] [--out decompose/models/stance_features.json]

Three models, all multinomial logistic regressions over :func:`cruxmap.decompose.stance_model.feature_names`:

- ``reply``: a reply's overall stance (disagree / neutral / agree), fitted on the DEBAGREEMENT
  dev half (``split_of(msg_id_child) == "dev"``);
- ``reply_minilm``: the same, over the named features plus
  :func:`cruxmap.decompose.stance_model.encoder_feature_names` (sentence-embedding similarities from
  the optional MiniLM encoder, which must be installed to refit it: see decompose/minilm.py);
- ``relation``: one reply sentence's relation to the parent comment (attack / support),
  fitted on the cmv-modes v2.0 cross-author relations of the dev threads.

Only the dev halves are read; the test halves stay held out for ``cruxmap eval``. Training is
deterministic (full-batch gradient descent from zero weights), so re-running reproduces the
shipped file. What is stored is a mean, a scale and one weight per class for each named
feature: no text, vocabulary or embedding of either corpus (neither may be redistributed).
The penalty and class weights were chosen by 5-fold cross-validation on dev
(see EVAL.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cruxmap.decompose.evaluate import DEBAGREEMENT_LABELS, _quotes, cmv_relation_sentences, debagreement_rows
from cruxmap.decompose.stance import cue_sentence_stances, overall_stance
from cruxmap.decompose.minilm import MiniLMEncoder
from cruxmap.decompose.stance_model import (MODEL_PATH, encoder_feature_names, encoder_features, encoder_texts,
                                    feature_names,
                                    fit_model, reply_features)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Chosen by 5-fold cross-validation on the dev halves (EVAL.md).
REPLY_L2, RELATION_L2 = 30.0, 100.0
#: Replies encoded per batched pass (their texts fit the encoder's cache).
ENCODE_CHUNK = 256


def _balanced(y: np.ndarray, k: int) -> list[float]:
    """Class weights inversely proportional to class frequency (macro-F1 weighs classes equally)."""
    counts = np.bincount(y, minlength=k)
    return [float(len(y) / (k * c)) for c in counts]


def reply_examples(data_dir: Path, encoder=None) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels (0 disagree, 1 neutral, 2 agree) of the DEBAGREEMENT dev half;
    with ``encoder``, the encoder features follow the named ones in each row."""
    order = ("disagree", "neutral", "agree")
    X, y = [], []
    rows = debagreement_rows(data_dir)["dev"]
    for start in range(0, len(rows), ENCODE_CHUNK):
        chunk = rows[start:start + ENCODE_CHUNK]
        if encoder is not None:  # one batched pass per chunk; features then hit the encoder's cache
            encoder.encode(encoder_texts((r["body_parent"], r["body_child"]) for r in chunk))
        for r in chunk:
            child, parent = r["body_child"], r["body_parent"]
            cues = [st for _, _, st in cue_sentence_stances(child, _quotes(child))]
            x = reply_features(parent, child, overall_stance(cues).stance, [st.stance for st in cues])
            if encoder is not None:
                x = np.concatenate([x, encoder_features(parent, child, encoder)])
            X.append(x)
            y.append(order.index(DEBAGREEMENT_LABELS[r["label"]]))
    return np.asarray(X), np.asarray(y)


def relation_examples(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels (0 attack, 1 support) of the cmv-modes dev cross-author relations."""
    X, y = [], []
    for gold, parent, sentence, cue in cmv_relation_sentences(data_dir, "dev"):
        X.append(reply_features(parent, sentence, cue, [cue]))
        y.append(("attack", "support").index(gold))
    return np.asarray(X), np.asarray(y)


def train(data_dir: Path | str = DEFAULT_DATA) -> dict:
    """The three models fitted on the dev halves, as the JSON document that is shipped."""
    data_dir = Path(data_dir)
    encoder = MiniLMEncoder.load()  # fails early, with the install hint, when it is missing
    X, y = reply_examples(data_dir, encoder)
    n = len(feature_names())
    reply = fit_model(X[:, :n], y, ("disagree", "neutral", "agree"), l2=REPLY_L2, class_weight=_balanced(y, 3))
    reply_minilm = fit_model(X, y, ("disagree", "neutral", "agree"), l2=REPLY_L2, class_weight=_balanced(y, 3),
                             names=feature_names() + encoder_feature_names())
    Xr, yr = relation_examples(data_dir)
    relation = fit_model(Xr, yr, ("attack", "support"), l2=RELATION_L2, class_weight=_balanced(yr, 2))
    return {
        "about": ("Logistic regressions over named hand-designed features (decompose/stance_model.py). "
                  "Fitted by `python -m cruxmap.decompose.train_stance` on the dev halves only: reply = "
                  f"DEBAGREEMENT dev ({len(y)} pairs), relation = cmv-modes v2.0 dev cross-author "
                  f"relations ({len(yr)}), reply_minilm = the reply model plus sentence-embedding "
                  "similarities (all-MiniLM-L6-v2) as named features. No corpus text, vocabulary or "
                  "embedding is stored."),
        "models": {"reply": reply.to_json(), "relation": relation.to_json(),
                   "reply_minilm": reply_minilm.to_json()},
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the shared corpora")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the JSON")
    args = ap.parse_args(argv)
    doc = train(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
