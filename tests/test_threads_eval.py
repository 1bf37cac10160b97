"""The real-thread scorer (decompose/threads_eval.py) and the dev set's gold (devset/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cruxmap.decompose import threads_eval as te
from cruxmap.graph.schema import (Author, Claim, Comment, Crux, CruxMap, Disagreement, Post,
                                  Thread)
from cruxmap.loaders import read

DEVSET = Path(__file__).resolve().parents[1] / "devset"
GOLDS = sorted(DEVSET.glob("*/*.gold.json"))
TEXTS = te.texts_dir(DEVSET)


def thread_text(gold: dict):
    """The gold's thread. Its text is third-party and not in the repository (devset/README.md):
    these checks run where the texts are laid out ($CRUXMAP_DEVSET_TEXTS or shared/data/devset)."""
    if not Path(gold["thread_path"]).is_file():
        pytest.skip(f"dev-set thread texts are not in the repository; none at {gold['thread_path']}")
    return read(gold["thread_path"])


# --- the gold is honest: every quote verbatim, from the author it is credited to -------------
def test_devset_gold_is_there_and_split():
    golds = [te.load_gold(p, TEXTS) for p in GOLDS]
    assert len(golds) >= 12
    assert {g["split"] for g in golds} == {"tune", "test"}
    for split in ("tune", "test"):
        assert len({g["forum"] for g in golds if g["split"] == split}) >= 2
    assert sum(len(g["disagreements"]) for g in golds) >= 60


def test_devset_threads_are_large_enough():
    golds = [te.load_gold(p, TEXTS) for p in GOLDS]
    assert sum(len(thread_text(g).comments) for g in golds) >= 400


@pytest.mark.parametrize("path", GOLDS, ids=[p.stem for p in GOLDS])
def test_every_gold_quote_is_verbatim_and_credited_to_its_author(path):
    gold = te.load_gold(path, TEXTS)
    thread = thread_text(gold)
    names = {a.id: a.name for a in thread.authors}
    items = te.item_index(thread)
    for ref in te.gold_quotes(gold):
        te.quote_span(thread, ref)  # raises if not verbatim
    for d in gold["disagreements"]:
        for side, who in (("a", d["pair"][0]), ("b", d["pair"][1])):
            for ref in d.get(side, ()):
                assert names.get(items[ref["item"]].author_id) == who, (path.name, ref)
    for a in gold["agreements"]:
        assert names.get(items[a["item"]].author_id) == a["from"], (path.name, a)
    for c in gold["cruxes"]:
        assert c["question"].endswith("?") and c["pairs"]
        assert {te.pair(*p) for p in c["pairs"]} <= te.gold_pairs(gold), (path.name, c["question"])


# --- the scorer on small constructed maps --------------------------------------------------
def _thread() -> Thread:
    ann, bo, cy = Author("a:ann", "Ann"), Author("a:bo", "Bo"), Author("a:cy", "Cy")
    post = Post(id="p", text="Cats are the best pets.", author_id="a:ann")
    c1 = Comment(id="c1", text="No. Dogs are better pets.", parent_id="p", post_id="p", author_id="a:bo")
    c2 = Comment(id="c2", text="You're right, Bo. Dogs are loyal.", parent_id="c1", post_id="p", author_id="a:cy")
    c3 = Comment(id="c3", text="I agree with Ann.", parent_id="p", post_id="p", author_id="a:cy")
    return Thread("t", posts=(post,), comments=(c1, c2, c3), authors=(ann, bo, cy))


def _claim(item, text, author, thread):
    src = next(x for x in thread.items() if x.id == item)
    start = src.text.index(text)
    return Claim(id=f"k:{item}:{start}", source_id=item, start=start, end=start + len(text),
                 text=text, author_id=author)


GOLD = {"disagreements": [{"pair": ["Ann", "Bo"],
                           "a": [{"item": "p", "quote": "Cats are the best pets."}],
                           "b": [{"item": "c1", "quote": "Dogs are better pets."}]}],
        "agreements": [{"from": "Cy", "to": "Bo", "item": "c2", "quote": "You're right, Bo."}],
        "cruxes": [{"question": "Are cats better pets than dogs?", "pairs": [["Ann", "Bo"]],
                    "a": [{"item": "p", "quote": "Cats are the best pets."}],
                    "b": [{"item": "c1", "quote": "Dogs are better pets."}],
                    "stated": True, "stated_quote": {"item": "c1", "quote": "Dogs are better pets."}}]}


def _map(wrong_pair: bool = False, agreement_attacked: bool = False, crux: bool = True) -> CruxMap:
    t = _thread()
    cats = _claim("p", "Cats are the best pets.", "a:ann", t)
    dogs = _claim("c1", "Dogs are better pets.", "a:bo", t)
    right = _claim("c2", "You're right, Bo.", "a:cy", t)
    loyal = _claim("c2", "Dogs are loyal.", "a:cy", t)
    claims = [cats, dogs, right, loyal]
    ds = [Disagreement(id="d1", summary="", status="open",
                       sides=((loyal.id, "a"), (cats.id, "b")) if wrong_pair else ((cats.id, "a"), (dogs.id, "b")))]
    if agreement_attacked:
        ds.append(Disagreement(id="d2", summary="", status="open", sides=((right.id, "a"), (dogs.id, "b"))))
    cruxes = (Crux(id="x1", text="Are cats better pets than dogs?", score=1.0, disagreement_ids=("d1",)),) if crux else ()
    return CruxMap(thread=t, claims=tuple(claims), disagreements=tuple(ds), cruxes=cruxes)


def test_pairs_recall_and_precision_count_hits_and_misses():
    good = te.score_thread(_map(), GOLD)
    assert good["pairs"] == {"gold": 1, "reported": 1, "hit": 1}
    wrong = te.score_thread(_map(wrong_pair=True), GOLD)
    assert wrong["pairs"] == {"gold": 1, "reported": 1, "hit": 0}


def test_baseline_takes_every_cross_author_reply():
    assert te.baseline_pairs(_thread()) == {te.pair("Ann", "Bo"), te.pair("Bo", "Cy"), te.pair("Ann", "Cy")}
    assert te.score_thread(_map(), GOLD)["baseline"] == {"gold": 1, "reported": 3, "hit": 1}


def test_an_agreement_counts_as_a_dispute_only_when_its_sentence_opposes_the_agreed_with_author():
    assert te.score_thread(_map(), GOLD)["as_disputes"] == 0
    assert te.score_thread(_map(agreement_attacked=True), GOLD)["as_disputes"] == 1


def test_a_gold_crux_is_located_only_through_a_disagreement_of_its_pair_holding_its_quotes():
    assert te.score_thread(_map(), GOLD)["located"] == 1
    assert te.score_thread(_map(wrong_pair=True), GOLD)["located"] == 0
    assert te.score_thread(_map(crux=False), GOLD)["located"] == 0


def test_a_stated_crux_is_kept_by_a_crux_claim_or_a_crux_text_that_holds_it():
    kept = te.score_thread(_map(), GOLD)
    assert (kept["stated"], kept["stated_kept"]) == (1, 1)  # the crux text holds the quote's words
    assert te.score_thread(_map(crux=False), GOLD)["stated_kept"] == 0
    m = _map(crux=False)
    from dataclasses import replace
    m = replace(m, claims=tuple(replace(c, role="crux") if c.source_id == "c1" else c for c in m.claims))
    assert te.score_thread(m, GOLD)["stated_kept"] == 1


def test_a_quote_that_is_not_verbatim_is_refused():
    with pytest.raises(ValueError, match="not verbatim"):
        te.quote_span(_thread(), {"item": "c1", "quote": "Dogs are the best pets."})


def test_summaries_pool_counts_over_threads():
    s = te.summarize([te.score_thread(_map(), GOLD), te.score_thread(_map(wrong_pair=True), GOLD)])
    assert (s["recall"], s["precision"], s["baseline_precision"]) == (0.5, 0.5, 0.3333)
    assert s["cruxes_located_rate"] == 0.5 and s["threads"] == 2


def test_eval_devset_decomposes_and_pools_a_folder_of_gold_threads(tmp_path, monkeypatch):
    import json
    monkeypatch.delenv(te.TEXTS_ENV, raising=False)  # the texts are beside the gold here
    src = tmp_path / "tiny"
    src.mkdir()
    lines = [{"id": "p", "title": "Cats", "text": "Cats are the best pets.", "author": "Ann"},
             {"id": "c1", "post_id": "p", "parent_id": "p", "author": "Bo",
              "text": "No, that is wrong. Dogs are better pets than cats."},
             {"id": "c2", "post_id": "p", "parent_id": "c1", "author": "Ann",
              "text": "You're wrong. Cats are cleaner than dogs."}]
    (src / "t.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    gold = {"thread": "t.jsonl", "forum": "test-forum", "split": "tune",
            "disagreements": [{"pair": ["Ann", "Bo"], "a": [{"item": "p", "quote": "Cats are the best pets."}],
                               "b": [{"item": "c1", "quote": "Dogs are better pets than cats."}]}],
            "agreements": [], "cruxes": []}
    (src / "t.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    r = te.eval_devset(tmp_path)
    assert r["threads"]["t"]["pairs"]["gold"] == 1 and r["tune"]["threads"] == 1
    assert r["tune"]["baseline_recall"] == 1.0 and r["test"]["threads"] == 0
    assert r["all"]["comments"] == 3 and r["comments_per_second"] > 0
    assert "| **tune** | 1 | 3 |" in te.markdown(r)
    assert te.eval_devset(tmp_path / "nowhere") == {"missing": str(tmp_path / "nowhere")}


def test_eval_devset_reads_thread_texts_kept_apart_from_the_gold(tmp_path, monkeypatch):
    """The gold is committed; third-party thread texts live elsewhere, laid out the same way."""
    import json
    import shutil

    test_eval_devset_decomposes_and_pools_a_folder_of_gold_threads(tmp_path, monkeypatch)
    texts = tmp_path / "texts"
    (texts / "tiny").mkdir(parents=True)
    shutil.move(tmp_path / "tiny" / "t.jsonl", texts / "tiny" / "t.jsonl")
    alone = te.eval_devset(tmp_path)
    assert alone["missing"] and alone["texts_missing"] == [str(tmp_path / "tiny" / "t.jsonl")]
    apart = te.eval_devset(tmp_path, texts)
    assert apart["threads"]["t"]["pairs"]["gold"] == 1 and apart["texts_missing"] == []
    assert json.loads(json.dumps(apart))["tune"]["threads"] == 1
