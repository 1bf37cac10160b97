"""The behaviour every GraphStore must have. Each store's test module subclasses
:class:`StoreContract` and only says how to make an empty store.

The same tests run against the embedded store and against a real Neo4j server, so
both give the same answers to the same questions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import pytest

from cruxmap.graph.errors import StoreError
from cruxmap.graph.schema import (
    ATTACKS, AUTHOR, CLAIM, COMMENT, CRUX, DISAGREEMENT, POST, SUPPORTS, TOPIC, node, relationship,
    to_graph,
)
from tests.sample_map import ANN, BO, HOSTILE, sample_map


class StoreContract(ABC):
    """Subclasses define ``make_store()`` returning an empty store."""

    @abstractmethod
    def make_store(self):
        """An empty store of the kind under test."""

    @pytest.fixture
    def store(self):
        s = self.make_store()
        yield s
        s.close()

    @pytest.fixture
    def full(self, store):
        store.upsert_map(sample_map())
        return store

    # --- writing ---------------------------------------------------------------------
    def test_empty_store_has_nothing(self, store):
        assert store.stats() == {"nodes": {}, "relationships": {}}
        assert store.authors() == [] and store.cruxes() == [] and store.divergence() == []

    def test_upsert_counts_every_record(self, store):
        nodes, rels = to_graph(sample_map())
        result = store.upsert(nodes, rels)
        assert result["nodes_written"] == len(nodes)
        assert result["relationships_written"] == len(rels)
        stats = store.stats()
        assert sum(stats["nodes"].values()) == len(nodes)
        assert sum(stats["relationships"].values()) == len(rels)
        assert stats["nodes"][AUTHOR] == 3 and stats["nodes"][CLAIM] == 7

    def test_reingest_changes_nothing(self, full):
        before = (full.version(), list(full.nodes()), list(full.relationships()))
        again = full.upsert_map(sample_map())
        assert again["nodes_written"] == 0 and again["relationships_written"] == 0
        assert again["unchanged"] > 0
        assert (full.version(), list(full.nodes()), list(full.relationships())) == before

    def test_version_changes_when_content_changes(self, full):
        v = full.version()
        full.upsert([node("author:dee", AUTHOR, name="Dee")], [])
        assert full.version() != v

    def test_changed_properties_are_updated(self, full):
        full.upsert([node(ANN, AUTHOR, name="Ann Renamed")], [])
        assert full.node(ANN)["properties"]["name"] == "Ann Renamed"

    def test_relationship_to_missing_node_writes_nothing(self, full):
        before = full.stats()
        with pytest.raises(StoreError):
            full.upsert([node("author:new", AUTHOR, name="New")],
                        [relationship(ATTACKS, "author:new", "claim:nowhere")])
        assert full.stats() == before
        assert full.node("author:new") is None

    def test_hostile_text_round_trips(self, full):
        claims = full.claims(text="DETACH DELETE")
        assert [c["text"] for c in claims] == [HOSTILE]
        assert full.stats()["nodes"][CLAIM] == 7  # nothing was executed

    def test_clear_empties_the_store(self, full):
        full.clear()
        assert full.stats() == {"nodes": {}, "relationships": {}}

    # --- generic reads ------------------------------------------------------------------
    def test_node_and_missing_node(self, full):
        n = full.node("post:1")
        assert n["label"] == POST and n["properties"]["score"] == 42
        assert full.node("nope") is None

    def test_nodes_and_relationships_are_ordered_and_filtered(self, full):
        ids = [n["id"] for n in full.nodes()]
        assert ids == sorted(ids)
        assert {n["label"] for n in full.nodes(COMMENT)} == {COMMENT}
        attacks = list(full.relationships(ATTACKS))
        assert len(attacks) == 2 and all(r["type"] == ATTACKS for r in attacks)
        assert attacks[0]["properties"]["confidence"] == 0.9
        assert attacks[0]["properties"]["evidence"] == "cue: 'I disagree'"

    def test_list_properties_survive(self, full):
        c3 = full.node("comment:3")["properties"]
        assert c3["reacts"] == ["crux:2"] and c3["crux_reacts"] == 2

    def test_neighbourhood_grows_with_hops(self, full):
        one_nodes, one_rels = full.neighbourhood("crux:1", hops=1)
        two_nodes, _ = full.neighbourhood("crux:1", hops=2)
        assert {n["id"] for n in one_nodes} == {"crux:1", "disagreement:1"}
        assert len(one_rels) == 1
        assert {n["label"] for n in two_nodes} >= {CRUX, DISAGREEMENT, CLAIM}
        assert full.neighbourhood("missing") == ([], [])

    # --- named queries -------------------------------------------------------------
    def test_authors_with_counts(self, full):
        rows = {r["name"]: r for r in full.authors()}
        assert rows["Ann"]["posts"] == 1 and rows["Ann"]["comments"] == 1 and rows["Ann"]["claims"] == 3
        assert rows["Bo"]["comments"] == 1 and rows["Bo"]["claims"] == 2
        assert [r["name"] for r in full.authors()] == ["Ann", "Bo", "Cy O'Neil"]

    def test_claims_by_author_name_or_id(self, full):
        by_name = full.claims(author="bo")
        assert [c["author"] for c in by_name] == ["Bo", "Bo"]
        assert by_name == full.claims(author=BO)
        assert by_name[0]["url"] == "https://example.org/c/1"
        assert by_name[0]["stance"] == "disagree"
        assert len(full.claims(limit=2)) == 2

    def test_disagreements_between_two_authors_either_order(self, full):
        rows = full.disagreements(between=("Ann", "Bo"))
        assert [d["id"] for d in rows] == ["disagreement:1"]
        assert rows == full.disagreements(between=("Bo", "Ann"))
        d = rows[0]
        assert d["authors"] == {"a": [ANN], "b": [BO]}
        assert [c["text"] for c in d["sides"]["b"]][0].startswith("I disagree")
        assert d["cruxes"] == ["crux:1", "crux:2"]
        assert full.disagreements(between=("Ann", "Cy O'Neil")) == []

    def test_disagreements_filters(self, full):
        assert len(full.disagreements(author="Bo")) == 1
        assert full.disagreements(author="Cy O'Neil") == []
        assert len(full.disagreements(status="open")) == 1
        assert full.disagreements(status="conceded") == []
        assert len(full.disagreements(topic="Superposition")) == 1
        assert full.disagreements(topic="cooking") == []

    def test_cruxes_ranked_with_sides(self, full):
        rows = full.cruxes()
        assert [c["id"] for c in rows] == ["crux:1", "crux:2"]
        assert rows[0]["score"] == 0.9 and rows[0]["kind"] == "double"
        assert rows[0]["authors"] == {"a": [ANN], "b": [BO]}
        assert rows[0]["disagreements"] == ["disagreement:1"]
        assert [c["id"] for c in full.cruxes(limit=1)] == ["crux:1"]
        assert full.cruxes(author="Cy O'Neil") == []
        assert len(full.cruxes(between=("Bo", "Ann"))) == 2

    def test_divergence_weights(self, full):
        rows = {(r["a_name"], r["b_name"]): r for r in full.divergence()}
        ann_bo = rows[("Ann", "Bo")]
        assert ann_bo["disagree"] == 1.5 and ann_bo["agree"] == 0.7 and ann_bo["disagreements"] == 1
        assert rows[("Ann", "Cy O'Neil")]["agree"] == 0.8
        assert full.divergence()[0]["a_name"] == "Ann" and full.divergence()[0]["b_name"] == "Bo"

    def test_topics_with_counts(self, full):
        assert full.topics() == [{"id": "topic:1", "label": "superposition", "claims": 3}]

    def test_supports_and_same_as_present(self, full):
        types = full.stats()["relationships"]
        assert types[SUPPORTS] == 2 and types["SAME_AS"] == 1 and types["CRUX_OF"] == 2
        assert full.stats()["nodes"][TOPIC] == 1

    # --- re-ingest replaces (graph/schema.py, "ownership") --------------------------------
    def _write(self, store, thread, keep_missing=False):
        from cruxmap.decompose.pipeline import decompose
        from cruxmap.graph.schema import scope_of

        m = decompose(thread, llm=False)
        return store.upsert_batches([to_graph(m)], replace=scope_of(thread, keep_missing))

    def _fresh(self, thread):
        """The map of ``thread`` written into an empty store (on Neo4j: the same, wiped, database)."""
        s = self.make_store()
        s.clear()
        self._write(s, thread)
        return s

    @staticmethod
    def _content(store):
        return list(store.nodes()), list(store.relationships())

    def test_reingest_of_the_same_thread_with_replace_changes_nothing(self, store):
        from tests.sample_map import edited_thread
        self._write(store, edited_thread())
        before = (store.version(), self._content(store))
        again = self._write(store, edited_thread())
        assert again["nodes_written"] == again["relationships_written"] == again["deleted"] == 0
        assert (store.version(), self._content(store)) == before

    def test_edited_comment_replaces_its_claims_stances_disagreements_and_cruxes(self, store):
        from tests.sample_map import edited_thread
        self._write(store, edited_thread())
        old_claims = {c["id"] for c in store.claims() if c["source_id"] == "jsonl:c1"}
        result = self._write(store, edited_thread(edit=True))
        assert result["deleted"] > 0
        now = self._content(store)
        assert not old_claims & {c["id"] for c in store.claims()}
        assert all(c["text"] in store.node(c["source_id"])["properties"]["text"] for c in store.claims())
        fresh = self._fresh(edited_thread(edit=True))
        assert now == self._content(fresh)  # exactly the map of the new copy: nothing stale is left

    def test_comment_missing_from_a_newer_copy_becomes_a_tombstone(self, store):
        from tests.sample_map import edited_thread
        self._write(store, edited_thread())
        assert any(c["source_id"] == "jsonl:c2" for c in store.claims())
        result = self._write(store, edited_thread(drop="jsonl:c2"))
        assert result["tombstoned"] == 1
        tomb = store.node("jsonl:c2")["properties"]
        assert tomb["deleted"] is True and tomb["text"]  # kept, marked
        assert not any(c["source_id"] == "jsonl:c2" for c in store.claims())  # out of the analysis
        assert all(c["source_id"] != "jsonl:c2" for d in store.disagreements()
                   for side in d["sides"].values() for c in side)
        nodes, rels = self._content(store)
        fresh_nodes, fresh_rels = self._content(self._fresh(edited_thread(drop="jsonl:c2")))
        assert [n for n in nodes if n["id"] != "jsonl:c2"] == fresh_nodes
        assert [r for r in rels if "jsonl:c2" not in (r["start"], r["end"])] == fresh_rels

    def test_keep_missing_keeps_the_comment_and_its_claims(self, store):
        from tests.sample_map import edited_thread
        self._write(store, edited_thread())
        claims = {c["id"] for c in store.claims() if c["source_id"] == "jsonl:c2"}
        result = self._write(store, edited_thread(drop="jsonl:c2"), keep_missing=True)
        assert result["tombstoned"] == 0
        assert "deleted" not in store.node("jsonl:c2")["properties"]
        assert claims <= {c["id"] for c in store.claims()}

    def test_replies_alone_add_without_tombstones(self, store):
        from cruxmap.graph.schema import Thread
        from tests.sample_map import edited_thread
        self._write(store, edited_thread())
        before = {n["id"] for n in store.nodes()}
        full = edited_thread()
        reply = Thread(source="later.jsonl", comments=(full.comments[0].__class__(
            id="jsonl:c9", text="I disagree: cats are not better at all.", post_id="jsonl:p1",
            parent_id="jsonl:c1", author_id="author:cy"),), authors=full.authors)
        result = self._write(store, reply)
        assert result["tombstoned"] == 0
        assert before <= {n["id"] for n in store.nodes()}
        assert store.node("jsonl:c9") is not None

    def test_curated_records_survive_replacement(self, store):
        from tests.sample_map import edited_thread
        self._write(store, edited_thread())
        d = store.disagreements()[0]
        props = dict(store.node(d["id"])["properties"], curated=True, summary="Edited by a person")
        store.upsert([node(d["id"], DISAGREEMENT, **props)], [])
        self._write(store, edited_thread(edit=True))
        kept = store.node(d["id"])
        assert kept is not None and kept["properties"]["summary"] == "Edited by a person"

    # --- answers that stay right as the map changes, and limits ------------------------------
    def test_divergence_follows_a_changed_claim(self, full):
        """The pair weights follow a claim that moves to another author (kept sums are refreshed)."""
        moved = next(n for n in full.nodes(CLAIM) if n["properties"].get("author_id") == BO)
        full.upsert([node(moved["id"], CLAIM, **{**moved["properties"], "author_id": ANN})], [])
        nodes, rels = list(full.nodes()), list(full.relationships())
        fresh = self.make_store()
        fresh.upsert(nodes, rels)
        assert full.divergence() == fresh.divergence()
        assert full.divergence(limit=1) == fresh.divergence()[:1]
        fresh.close()

    def test_limits_return_the_first_rows_of_the_whole_answer(self, full):
        for query in ("claims", "disagreements", "cruxes", "divergence", "topics"):
            everything = getattr(full, query)()
            for n in (1, 2):
                assert getattr(full, query)(limit=n) == everything[:n], (query, n)
        assert full.claims(ids=["nope"]) == [] and full.disagreements(ids=[]) == []
        assert [c["id"] for c in full.cruxes(ids=["crux:2"])] == ["crux:2"]
