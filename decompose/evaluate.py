"""Evaluation on third-party corpora and on crux threads with known answers.

``run_eval(data_dir)`` reads the corpora in ``data_dir`` (``../shared/data`` beside the repo:
debagreement, cmv-modes v2.0, arg-microtexts) and the crux threads in ``tests/data/crux_*.json``
and returns a nested dict of scores. Every corpus has a fixed dev/test split by a hash of a
stable key (:func:`split_of`); thresholds, lexicons and the weights of the shipped feature
model (``decompose/models/stance_features.json``, refitted by ``python -m cruxmap.decompose.train_stance``)
come from dev only, and test is reported. The hashed n-gram baseline is trained on dev at
evaluation time and never shipped (DEBAGREEMENT has no redistribution licence).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence

from cruxmap.graph.schema import Author, Comment, Post, Quote, Thread, author_id

from cruxmap.decompose import claims as claims_stage
from cruxmap.decompose.cues import find_cues, score
from cruxmap.decompose.embed import overlap
from cruxmap.decompose.stance import _starts_with, comment_stance, sentence_stances
from cruxmap.decompose.stance_model import encoder_texts

#: How each stance counts in a three-way disagree / neutral / agree evaluation.
THREE_WAY = {"disagree": "disagree", "correct": "disagree", "question": "disagree",
             "agree": "agree", "concede": "agree", "neutral": "neutral"}
_QUOTE_LINES = re.compile(r"^>[^\n]*(?:\n>[^\n]*)*", re.M)


def split_of(key: str) -> str:
    """``"dev"`` or ``"test"``: half of the keys each, fixed by a hash."""
    return "dev" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Iterable[str]) -> dict[str, Any]:
    """Macro-F1, accuracy and per-label F1.

    >>> macro_f1(["a", "b", "a"], ["a", "b", "b"], ["a", "b"])["accuracy"]
    0.6667
    """
    per = {}
    for k in labels:
        tp = sum(g == k and p == k for g, p in zip(gold, pred))
        fp = sum(g != k and p == k for g, p in zip(gold, pred))
        fn = sum(g == k and p != k for g, p in zip(gold, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[k] = round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0
    acc = sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else 0.0
    return {"macro_f1": round(sum(per.values()) / len(per), 4), "accuracy": round(acc, 4),
            "f1": per, "n": len(gold)}


def _quotes(text: str) -> tuple[Quote, ...]:
    return tuple(Quote(m.start(), m.end(), m.group(0)) for m in _QUOTE_LINES.finditer(text))


# --- debagreement -----------------------------------------------------------------------
DEBAGREEMENT_LABELS = {"0": "disagree", "1": "neutral", "2": "agree"}


def debagreement_rows(data_dir: Path) -> dict[str, list[dict[str, str]]]:
    """DEBAGREEMENT pairs by split: ``{"dev": [...], "test": [...]}`` (rows of the CSV)."""
    path = Path(data_dir) / "debagreement" / "debagreement_test_split.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {s: [r for r in rows if split_of(r["msg_id_child"]) == s] for s in ("dev", "test")}


def _reply_predictions(rows: list[dict[str, str]], with_parent: bool, encoder=None) -> list[str]:
    out = []
    for start in range(0, len(rows), 256):
        chunk = rows[start:start + 256]
        if encoder is not None:  # one batched pass per chunk (see stance_model.encoder_texts)
            encoder.encode(encoder_texts((r["body_parent"], r["body_child"]) for r in chunk))
        out += [THREE_WAY[comment_stance(r["body_child"], _quotes(r["body_child"]),
                                         r["body_parent"] if with_parent else None, encoder).stance]
                for r in chunk]
    return out


def eval_debagreement(data_dir: Path, learned: bool = True, encoder=None) -> dict[str, Any]:
    """Reply stance disagree/neutral/agree: the shipped model, cues alone, an eval-time
    baseline, and with ``encoder`` (the optional MiniLM encoder) the ``reply_minilm`` model."""
    names = DEBAGREEMENT_LABELS
    labels = ("disagree", "neutral", "agree")
    out: dict[str, Any] = {"split": "sha1(msg_id_child)[0] % 2: even = dev, odd = test"}
    parts = debagreement_rows(data_dir)
    modes = [("shipped", True, None), ("cues", False, None)] + ([("minilm", True, encoder)] if encoder else [])
    for mode, with_parent, enc in modes:
        t0 = time.perf_counter()
        for split, rs in parts.items():
            gold = [names[r["label"]] for r in rs]
            out[f"{mode}_{split}"] = macro_f1(gold, _reply_predictions(rs, with_parent, enc), labels)
        out[f"{mode}_seconds"] = round(time.perf_counter() - t0, 2)
    out["shipped_note"] = ("feature model (decompose/models/stance_features.json: a few dozen named "
                           "features, weights fitted on the dev half) + cues for concede/correct/question")
    if encoder:
        out["minilm_note"] = ("--stance-encoder minilm: the reply model also reads 20 sentence-embedding "
                              "similarities from all-MiniLM-L6-v2 (decompose/minilm.py, numpy, no torch)")
    if learned:
        from cruxmap.decompose.classifier import SoftmaxRegression, reply_features
        index = {k: i for i, k in enumerate(labels)}
        X = {s: [reply_features(r["body_parent"], r["body_child"]) for r in rs] for s, rs in parts.items()}
        y = {s: [index[names[r["label"]]] for r in rs] for s, rs in parts.items()}
        model = SoftmaxRegression(3, l2=1e-3, epochs=60).fit(X["dev"], y["dev"])
        pred = [labels[i] for i in model.predict(X["test"])]
        out["learned_test"] = macro_f1([labels[i] for i in y["test"]], pred, labels)
        out["learned_note"] = ("softmax regression on hashed n-grams + cue features, trained on the "
                               "dev half at eval time (not shipped)")
    return out


# --- cmv-modes v2.0 ---------------------------------------------------------------------
_SUPPORTING_RELATIONS = {"support", "agreement", "partial_agreement", "understand"}


def _cmv_threads(data_dir: Path) -> Iterable[tuple[str, str, list[tuple[str, int, int]], dict, list]]:
    """(key, text, blocks [(author, start, end)], spans {T: (type, start, end)}, relations)."""
    root = data_dir / "cmv-modes" / "v2.0"
    for txt in sorted(root.glob("*/*.txt")):
        text = txt.read_text(encoding="utf-8")
        blocks = []
        for line in txt.with_suffix(".metadata").read_text(encoding="utf-8").splitlines():
            f = line.split()
            if f and f[0] == "Title":
                blocks.append(("<title>", int(f[1]), int(f[2])))
            elif f and f[0] == "Content":
                blocks.append((f[2], int(f[3]), int(f[4])))
        spans, rels = {}, []
        for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
            f = line.split("\t")
            if line.startswith("T") and len(f) >= 2:
                typ, s, e = f[1].split()[:3]
                spans[f[0]] = (typ, int(s), int(e.split(";")[0]))
            elif line.startswith("R") and len(f) >= 2:
                typ, a1, a2 = f[1].split()[:3]
                rels.append((typ, a1.split(":")[1], a2.split(":")[1]))
        yield f"{txt.parent.name}/{txt.stem}", text, blocks, spans, rels


def _block_of(blocks: list[tuple[str, int, int]], pos: int) -> int:
    for i, (_, s, e) in enumerate(blocks):
        if s <= pos < e:
            return i
    return -1


def _char_overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(a[1] - a[0], b[1] - b[0], 1)


def cmv_parent(text: str, blocks: list[tuple[str, int, int]], k: int) -> str | None:
    """The text block ``k`` answers: the previous block, when another author wrote it."""
    if k == 0 or blocks[k - 1][0] in ("<title>", blocks[k][0]):
        return None
    _, s, e = blocks[k - 1]
    return text[s:e]


def cmv_relation_sentences(data_dir: Path, split: str) -> Iterable[tuple[str, str, str, str]]:
    """``(gold, parent, sentence, cue stance)`` for the cross-author relations of ``split``
    whose source block has a parent: the examples the relation model is fitted on."""
    from cruxmap.decompose.stance import cue_sentence_stances

    for key, text, blocks, spans, rels in _cmv_threads(data_dir):
        if split_of(key) != split:
            continue
        for typ, a1, a2 in rels:
            if a1 not in spans or a2 not in spans:
                continue
            b1, b2 = _block_of(blocks, spans[a1][1]), _block_of(blocks, spans[a2][1])
            if b1 < 0 or b2 < 0 or blocks[b1][0] == blocks[b2][0]:
                continue
            parent = cmv_parent(text, blocks, b1)
            if parent is None:
                continue
            _, s, e = blocks[b1]
            body, s1 = text[s:e], (spans[a1][1] - s, spans[a1][2] - s)
            hits = [(a, b, st) for a, b, st in cue_sentence_stances(body, _quotes(body))
                    if _char_overlap((a, b), s1) > 0 or a <= s1[0] < b]
            if hits:
                a, b, st = hits[0]
                yield ("support" if typ in _SUPPORTING_RELATIONS else "attack", parent, body[a:b], st.stance)


def eval_cmv(data_dir: Path) -> dict[str, Any]:
    """Claim spans (P/R/F1 at >= 50% overlap) and cross-author support vs attack.

    Each block replies to the block before it (90 % of the cross-author relations in dev
    target that block), so the previous block by another author is the parent text.
    """
    counts = {s: Counter() for s in ("dev", "test")}
    rel = {s: ([], []) for s in ("dev", "test")}
    for key, text, blocks, spans, rels in _cmv_threads(data_dir):
        split = split_of(key)
        pred: list[tuple[int, int]] = []
        stance_at: list[tuple[int, int, str]] = []
        for k, (author, s, e) in enumerate(blocks):
            body = text[s:e]
            item = Comment(id=f"b{k}", text=body, quotes=_quotes(body))
            pred += [(c.start + s, c.end + s) for c in claims_stage.split_item(item)]
            parent = cmv_parent(text, blocks, k)
            stance_at += [(a + s, b + s, st.stance) for a, b, st in sentence_stances(body, item.quotes, parent)]
        gold = [(a, b) for _, a, b in spans.values()]
        c = counts[split]
        c["pred"] += len(pred)
        c["gold"] += len(gold)
        c["pred_matched"] += sum(any(_char_overlap(p, g) >= 0.5 for g in gold) for p in pred)
        c["gold_matched"] += sum(any(_char_overlap(p, g) >= 0.5 for p in pred) for g in gold)
        for typ, a1, a2 in rels:
            if a1 not in spans or a2 not in spans:
                continue
            b1, b2 = _block_of(blocks, spans[a1][1]), _block_of(blocks, spans[a2][1])
            if b1 < 0 or b2 < 0 or blocks[b1][0] == blocks[b2][0]:
                continue  # same author: not an inter-turn relation
            g = "support" if typ in _SUPPORTING_RELATIONS else "attack"
            s1 = spans[a1][1:]
            stances = [st for a, b, st in stance_at if _char_overlap((a, b), s1) > 0 or a <= s1[0] < b]
            st = next((x for x in stances if x != "neutral"), "neutral")
            # tuned on dev: a cross-author relation without a cue is more often support than attack
            p = "attack" if st in ("disagree", "correct", "question") else "support"
            rel[split][0].append(g)
            rel[split][1].append(p)
    out: dict[str, Any] = {"split": "sha1(folder/file)[0] % 2"}
    for split, c in counts.items():
        p = c["pred_matched"] / c["pred"] if c["pred"] else 0.0
        r = c["gold_matched"] / c["gold"] if c["gold"] else 0.0
        out[f"claims_{split}"] = {"precision": round(p, 4), "recall": round(r, 4),
                                  "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                                  "pred": c["pred"], "gold": c["gold"]}
        out[f"relations_{split}"] = macro_f1(*rel[split], ("support", "attack"))
    return out


# --- arg-microtexts ---------------------------------------------------------------------
_CENTRAL = re.compile(r"\b(?:should|must|ought|need to|needs to|have to|has to|therefore|thus|"
                      r"in conclusion|consequently|it is time|we need)\b", re.I)
_VOICE_OF_OPPONENT = re.compile(
    r"^\W*(?:yes\b|admittedly|granted|of course|it is true|it's true|true,|certainly|"
    r"one could|one might|some (?:say|argue|claim|people)|critics|opponents|many (?:say|argue)|"
    r"it (?:may|might|could) be|there are those|supporters)", re.I)


def microtext_relation(text: str) -> str:
    """``support`` or ``attack`` for an argumentative unit, from its cues alone."""
    cues = find_cues(text)
    if _VOICE_OF_OPPONENT.search(text) or _starts_with(text, "contrast"):
        return "attack"
    if score(cues, "disagree") >= 1.0 or score(cues, "concede") >= 1.5:
        return "attack"
    return "support"


def eval_microtexts(data_dir: Path) -> dict[str, Any]:
    """Support vs attack between units, and central-claim accuracy."""
    rel = {s: ([], []) for s in ("dev", "test")}
    central = {s: [0, 0] for s in ("dev", "test")}
    for path in sorted((data_dir / "arg-microtexts" / "en").glob("*.xml")):
        root = ET.parse(path).getroot()
        split = split_of(path.stem)
        edus = {e.get("id"): (e.text or "").strip() for e in root.iter("edu")}
        adu_text: dict[str, list[str]] = defaultdict(list)
        edges = list(root.iter("edge"))
        for e in edges:
            if e.get("type") == "seg":
                adu_text[e.get("trg")].append(edus[e.get("src")])
        texts = {a: " ".join(t) for a, t in adu_text.items()}
        outgoing = {e.get("src") for e in edges if e.get("type") != "seg"}
        for e in edges:
            typ = e.get("type")
            if typ in ("sup", "exa", "reb", "und"):
                rel[split][0].append("support" if typ in ("sup", "exa") else "attack")
                rel[split][1].append(microtext_relation(texts.get(e.get("src"), "")))
        order = sorted(texts, key=lambda a: int(a[1:]))
        gold = [a for a in order if a not in outgoing]
        def rank(k_a: tuple[int, str]) -> tuple[float, int]:
            k, a = k_a
            s = 2.0 * bool(_CENTRAL.search(texts[a])) + (1.0 if k == 0 else 0.8 if k == len(order) - 1 else 0)
            s -= 2.0 * (microtext_relation(texts[a]) == "attack")
            return (s, -k)
        guess = max(enumerate(order), key=rank)[1] if order else None
        central[split][0] += guess in gold
        central[split][1] += 1
    out: dict[str, Any] = {"split": "sha1(text id)[0] % 2"}
    for split in ("dev", "test"):
        out[f"relations_{split}"] = macro_f1(*rel[split], ("support", "attack"))
        hit, n = central[split]
        out[f"central_claim_{split}"] = {"accuracy": round(hit / n, 4) if n else 0.0, "n": n}
    return out


# --- crux threads with known answers ------------------------------------------------------
def load_crux_thread(path: Path | str) -> tuple[Thread, dict[str, Any]]:
    """A thread written for the crux check (``tests/data/crux_*.json``) and its expected answers."""
    d = json.loads(Path(path).read_text(encoding="utf-8"))
    authors: dict[str, Author] = {}
    posts, comments = [], []
    for p in d["posts"]:
        authors.setdefault(p["author"], Author(author_id(p["author"]), p["author"]))
        posts.append(Post(id=p["id"], text=p["text"], title=d.get("title", ""),
                          author_id=author_id(p["author"]), source=str(path), quotes=_quotes(p["text"])))
    for c in d["comments"]:
        authors.setdefault(c["author"], Author(author_id(c["author"]), c["author"]))
        comments.append(Comment(id=c["id"], text=c["text"], post_id=posts[0].id, parent_id=c.get("parent"),
                                author_id=author_id(c["author"]), source=str(path),
                                reacts=tuple(tuple(x) for x in c.get("reacts", ())), quotes=_quotes(c["text"])))
    return Thread(str(path), tuple(posts), tuple(comments), tuple(authors.values())), d["expected"]


def crux_found(expected: str, cruxes: Sequence[str], threshold: float = 0.6) -> bool:
    """True when one of ``cruxes`` states ``expected`` (most of its content words)."""
    return any(overlap(expected, x) >= threshold for x in cruxes)


def eval_crux_threads(crux_dir: Path) -> dict[str, Any]:
    """Known cruxes found in the top 3, crux precision, comment stances and disagreement pairs."""
    from cruxmap.decompose.pipeline import decompose  # late: the pipeline imports every stage

    found = total = predicted = matched = st_ok = st_n = pair_ok = pair_n = 0
    per_thread = {}
    for path in sorted(crux_dir.glob("crux_*.json")):
        thread, exp = load_crux_thread(path)
        m = decompose(thread)
        texts = [x.text for x in m.cruxes]
        hits = [crux_found(e, texts[:3]) for e in exp.get("cruxes", ())]
        found, total = found + sum(hits), total + len(hits)
        predicted += len(texts)
        matched += sum(any(overlap(e, x) >= 0.6 for e in exp.get("cruxes", ())) for x in texts)
        stances = {cid: s for cid, s, _ in m.comment_stances}
        for cid, want in exp.get("comment_stances", {}).items():
            st_n += 1
            st_ok += stances.get(cid) == want
        names = {a.id: a.name for a in thread.authors}
        pairs = set()
        for d in m.disagreements:
            side_authors = {s: {names.get(m_c.author_id) for m_c in m.claims for cid, sd in d.sides
                                if m_c.id == cid and sd == s} for s in ("a", "b")}
            for a in side_authors["a"]:
                for b in side_authors["b"]:
                    pairs.add(frozenset((a, b)))
        for pair in exp.get("disagreement_between", ()):
            pair_n += 1
            pair_ok += frozenset(pair) in pairs
        per_thread[path.name] = {"cruxes": texts, "expected_found": hits}
    return {"cruxes_found_top3": f"{found}/{total}", "crux_precision": round(matched / predicted, 4) if predicted else 0.0,
            "comment_stance_accuracy": f"{st_ok}/{st_n}", "disagreement_pairs_found": f"{pair_ok}/{pair_n}",
            "threads": per_thread}


def run_eval(data_dir: Path | str, crux_dir: Path | str | None = None, learned: bool = True,
             encoder=None, devset_dir: Path | str | None = None) -> dict[str, Any]:
    """Every evaluation: ``{"debagreement": ..., "cmv_modes": ..., "arg_microtexts": ...,
    "crux_threads": ..., "devset": ...}``.

    ``data_dir`` holds the shared corpora; ``crux_dir`` the ``crux_*.json`` threads (default:
    ``tests/data`` of this repository); ``devset_dir`` the real threads with hand-written gold
    (default: ``devset/`` of this checkout, scored by :mod:`cruxmap.decompose.threads_eval`).
    Corpora that are missing are reported as such.
    ``encoder``: the optional stance encoder, scored on DEBAGREEMENT beside the default.
    """
    data_dir = Path(data_dir)
    crux_dir = Path(crux_dir) if crux_dir else Path(__file__).resolve().parents[1] / "tests" / "data"
    out: dict[str, Any] = {}
    for name, fn, sub in (("debagreement", lambda d: eval_debagreement(d, learned, encoder), "debagreement"),
                          ("cmv_modes", eval_cmv, "cmv-modes"),
                          ("arg_microtexts", eval_microtexts, "arg-microtexts")):
        if not (data_dir / sub).is_dir():
            out[name] = {"missing": str(data_dir / sub)}
            continue
        t0 = time.perf_counter()
        out[name] = fn(data_dir)
        out[name]["seconds"] = round(time.perf_counter() - t0, 2)
    out["crux_threads"] = eval_crux_threads(crux_dir)
    from cruxmap.decompose.threads_eval import eval_devset
    out["devset"] = eval_devset(Path(devset_dir) if devset_dir else Path(__file__).resolve().parents[1] / "devset")
    return out
