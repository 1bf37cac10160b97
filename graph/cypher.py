"""Every Cypher statement the Neo4j store runs, as named constants.

User data only ever travels in ``$parameters``. Labels and relationship types cannot
be parameters in Cypher, so the few statements that need one are built by
:func:`for_label` / :func:`for_type` from the constants of :mod:`cruxmap.graph.schema` only.

Every node we write also carries :data:`BASE_LABEL`, so a lookup by ``id`` uses one
uniqueness constraint whatever the node's label, and our nodes never mix with other
data in the same database.
"""

from __future__ import annotations

from cruxmap.graph.schema import (
    ABOUT, ATTACKS, AUTHOR, CLAIM, COMMENT, CRUX, CRUX_OF, DISAGREEMENT, NODE_LABELS, PARTY_TO, POST,
    REL_TYPES, SUPPORTS, TOPIC, WROTE,
)

BASE_LABEL = "CruxmapNode"
META_LABEL = "CruxmapMeta"


def for_label(template: str, label: str) -> str:
    """``template`` with ``{label}`` filled in; only labels of the schema are accepted."""
    if label not in NODE_LABELS:
        raise ValueError(f"not a node label of the schema: {label!r}")
    return template.replace("{label}", label)


def for_type(template: str, rel_type: str) -> str:
    """``template`` with ``{type}`` filled in; only relationship types of the schema are accepted."""
    if rel_type not in REL_TYPES:
        raise ValueError(f"not a relationship type of the schema: {rel_type!r}")
    return template.replace("{type}", rel_type)


SCHEMA_STATEMENTS = [
    f"CREATE CONSTRAINT cruxmap_node_id IF NOT EXISTS FOR (n:{BASE_LABEL}) REQUIRE n.id IS UNIQUE",
    *[f"CREATE CONSTRAINT cruxmap_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
      for label in NODE_LABELS],
    f"CREATE INDEX cruxmap_claim_author IF NOT EXISTS FOR (n:{CLAIM}) ON (n.author_id)",
    f"CREATE INDEX cruxmap_claim_source IF NOT EXISTS FOR (n:{CLAIM}) ON (n.source_id)",
    f"CREATE INDEX cruxmap_author_name IF NOT EXISTS FOR (n:{AUTHOR}) ON (n.name)",
    f"CREATE INDEX cruxmap_disagreement_status IF NOT EXISTS FOR (n:{DISAGREEMENT}) ON (n.status)",
    f"CREATE FULLTEXT INDEX cruxmap_text IF NOT EXISTS FOR (n:{CLAIM}|{CRUX}) ON EACH [n.text]",
    f"CREATE INDEX cruxmap_post_thread IF NOT EXISTS FOR (n:{POST}) ON (n.thread)",
    f"CREATE INDEX cruxmap_comment_thread IF NOT EXISTS FOR (n:{COMMENT}) ON (n.thread)",
    # ``instance``: a map wiped and written again must not repeat an earlier version (the app caches on it)
    f"MERGE (m:{META_LABEL} {{id: 'meta'}}) ON CREATE SET m.revision = 0, m.instance = randomUUID()",
]

# Write a batch of nodes of one label; reports how many actually changed, so a re-ingest
# of the same source writes nothing and reports it.
UPSERT_NODES = f"""
UNWIND $rows AS row
MERGE (n:{BASE_LABEL} {{id: row.id}})
WITH n, row, (properties(n) = row.props AND '{{label}}' IN labels(n)) AS same
FOREACH (_ IN CASE WHEN same THEN [] ELSE [1] END | SET n = row.props)
SET n:{{label}}
RETURN sum(CASE WHEN same THEN 0 ELSE 1 END) AS written, count(*) AS seen
"""

UPSERT_RELATIONSHIPS = f"""
UNWIND $rows AS row
MATCH (a:{BASE_LABEL} {{id: row.start}})
MATCH (b:{BASE_LABEL} {{id: row.end}})
MERGE (a)-[r:{{type}}]->(b)
WITH r, row, properties(r) = row.props AS same
FOREACH (_ IN CASE WHEN same THEN [] ELSE [1] END | SET r = row.props)
RETURN sum(CASE WHEN same THEN 0 ELSE 1 END) AS written, count(*) AS seen
"""

BUMP_REVISION = f"MATCH (m:{META_LABEL} {{id: 'meta'}}) SET m.revision = m.revision + 1"
REVISION = f"MATCH (m:{META_LABEL} {{id: 'meta'}}) RETURN m.revision AS revision, coalesce(m.instance, '') AS instance"
DELETE_BATCH = f"""
MATCH (n:{BASE_LABEL}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted
"""

NODE = f"MATCH (n:{BASE_LABEL} {{id: $id}}) RETURN n"
NODES = f"""
MATCH (n:{BASE_LABEL}) WHERE $label IS NULL OR $label IN labels(n)
RETURN n ORDER BY n.id SKIP $skip LIMIT $limit
"""
RELATIONSHIPS = f"""
MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) WHERE $type IS NULL OR type(r) = $type
RETURN r, type(r) AS type, a.id AS start, b.id AS end ORDER BY r.id SKIP $skip LIMIT $limit
"""
NODE_COUNTS = f"""
MATCH (n:{BASE_LABEL}) UNWIND labels(n) AS label WITH label WHERE label <> '{BASE_LABEL}'
RETURN label, count(*) AS n ORDER BY label
"""
REL_COUNTS = f"""
MATCH (:{BASE_LABEL})-[r]->(:{BASE_LABEL}) RETURN type(r) AS type, count(*) AS n ORDER BY type
"""
NEIGHBOURS = f"""
UNWIND $ids AS id
MATCH (n:{BASE_LABEL} {{id: id}})--(m:{BASE_LABEL})
RETURN DISTINCT n.id AS id, m.id AS other
"""
EXISTING_IDS = f"MATCH (n:{BASE_LABEL}) WHERE n.id IN $ids RETURN n.id AS id"
NODES_BY_IDS = f"MATCH (n:{BASE_LABEL}) WHERE n.id IN $ids RETURN n ORDER BY n.id"
RELATIONSHIPS_AMONG = f"""
MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) WHERE a.id IN $ids AND b.id IN $ids
RETURN r, type(r) AS type, a.id AS start, b.id AS end ORDER BY r.id
"""

AUTHORS = f"""
MATCH (a:{AUTHOR})
OPTIONAL MATCH (a)-[:{WROTE}]->(p:{POST})
WITH a, count(p) AS posts
OPTIONAL MATCH (a)-[:{WROTE}]->(c:{COMMENT})
WITH a, posts, count(c) AS comments
OPTIONAL MATCH (cl:{CLAIM} {{author_id: a.id}})
RETURN a.id AS id, coalesce(a.name, '') AS name, posts, comments, count(cl) AS claims
"""

CLAIMS = f"""
MATCH (c:{CLAIM})
WHERE ($authors IS NULL OR c.author_id IN $authors)
  AND ($text IS NULL OR toLower(c.text) CONTAINS toLower($text))
OPTIONAL MATCH (a:{AUTHOR} {{id: c.author_id}})
OPTIONAL MATCH (s:{BASE_LABEL} {{id: c.source_id}})
RETURN properties(c) AS claim, a.name AS author, s.url AS url
"""

DISAGREEMENTS = f"""
MATCH (d:{DISAGREEMENT})
WHERE ($status IS NULL OR d.status = $status)
  AND ($ids IS NULL OR d.id IN $ids)
  AND ($authors IS NULL OR EXISTS {{
        MATCH (x:{CLAIM})-[:{PARTY_TO}]->(d) WHERE x.author_id IN $authors }})
OPTIONAL MATCH (c:{CLAIM})-[p:{PARTY_TO}]->(d)
OPTIONAL MATCH (a:{AUTHOR} {{id: c.author_id}})
OPTIONAL MATCH (s:{BASE_LABEL} {{id: c.source_id}})
WITH d, collect(CASE WHEN c IS NULL THEN NULL ELSE
        {{side: coalesce(p.side, 'a'), claim: properties(c), author: a.name, url: s.url}} END) AS parties
OPTIONAL MATCH (x:{CRUX})-[:{CRUX_OF}]->(d)
WITH d, parties, collect(x.id) AS cruxes
OPTIONAL MATCH (tc:{CLAIM})-[:{PARTY_TO}]->(d)
OPTIONAL MATCH (tc)-[:{ABOUT}]->(t:{TOPIC})
RETURN properties(d) AS d, parties, cruxes,
       [x IN collect(DISTINCT [t.id, t.label]) WHERE x[0] IS NOT NULL] AS topics
"""

CRUXES = f"""
MATCH (x:{CRUX})
OPTIONAL MATCH (x)-[:{CRUX_OF}]->(d:{DISAGREEMENT})
RETURN properties(x) AS crux, collect(d.id) AS disagreements
"""

DIVERGENCE_EDGES = f"""
MATCH (c1:{CLAIM})-[r:{ATTACKS}|{SUPPORTS}]->(c2:{CLAIM})
WHERE c1.author_id IS NOT NULL AND c2.author_id IS NOT NULL AND c1.author_id <> c2.author_id
MATCH (a:{AUTHOR} {{id: c1.author_id}})
MATCH (b:{AUTHOR} {{id: c2.author_id}})
WITH CASE WHEN a.id < b.id THEN a ELSE b END AS x, CASE WHEN a.id < b.id THEN b ELSE a END AS y,
     type(r) AS t, coalesce(r.confidence, 1.0) AS w
RETURN x.id AS a, y.id AS b,
       sum(CASE WHEN t = '{ATTACKS}' THEN w ELSE 0.0 END) AS disagree,
       sum(CASE WHEN t = '{SUPPORTS}' THEN w ELSE 0.0 END) AS agree
"""

DIVERGENCE_DISAGREEMENTS = f"""
MATCH (d:{DISAGREEMENT})
OPTIONAL MATCH (ca:{CLAIM})-[:{PARTY_TO} {{side: 'a'}}]->(d)
WITH d, collect(DISTINCT ca.author_id) AS side_a
OPTIONAL MATCH (cb:{CLAIM})-[:{PARTY_TO} {{side: 'b'}}]->(d)
WITH d, side_a, collect(DISTINCT cb.author_id) AS side_b
UNWIND side_a AS a
UNWIND side_b AS b
WITH a, b WHERE a <> b
WITH CASE WHEN a < b THEN a ELSE b END AS x, CASE WHEN a < b THEN b ELSE a END AS y
RETURN x AS a, y AS b, count(*) AS disagreements
"""

TOPICS = f"""
MATCH (t:{TOPIC})
OPTIONAL MATCH (c)-[:{ABOUT}]->(t)
RETURN t.id AS id, coalesce(t.label, '') AS label, count(c) AS claims
"""

SEARCH_TEXT = """
CALL db.index.fulltext.queryNodes('cruxmap_text', $query) YIELD node, score
RETURN node.id AS id, score ORDER BY score DESC LIMIT $limit
"""

#: User-defined functions (plugins such as APOC): raw Cypher may not call them (graph/cypher_guard.py).
USER_FUNCTIONS = "SHOW FUNCTIONS YIELD name, isBuiltIn WHERE NOT isBuiltIn RETURN name"


# --- the write path: replacing what a scope derived, and flagging loads in progress ----------
# (graph/schema.py, "ownership"; graph/neo4j_store.py, Neo4jStore.upsert_batches)
LOAD_LABEL = "CruxmapLoad"
BEGIN_LOAD = f"""
MERGE (l:{LOAD_LABEL} {{id: $id}}) ON CREATE SET l.load = $load, l.started = $started
"""
END_LOAD = f"MATCH (l:{LOAD_LABEL} {{id: $id}}) DELETE l"
INCOMPLETE_LOADS = f"MATCH (l:{LOAD_LABEL}) RETURN l.id AS id, l.load AS load, l.started AS started ORDER BY started"
THREAD_ITEMS = f"""
MATCH (i:{COMMENT}) WHERE i.thread IN $threads RETURN i.id AS id, 'Comment' AS label, i.deleted AS deleted
UNION ALL
MATCH (i:{POST}) WHERE i.thread IN $threads RETURN i.id AS id, 'Post' AS label, i.deleted AS deleted
"""
TOMBSTONE = f"UNWIND $ids AS id MATCH (i:{COMMENT} {{id: id}}) SET i.deleted = true"
CLAIMS_OF_ITEMS = f"MATCH (c:{CLAIM}) WHERE c.source_id IN $items RETURN c.id AS id, c.curated AS curated"
RELS_AT = f"""
UNWIND $ids AS id
MATCH (n:{BASE_LABEL} {{id: id}})-[r]-(m:{BASE_LABEL})
WHERE $types IS NULL OR type(r) IN $types
RETURN DISTINCT r.id AS id, type(r) AS type, startNode(r).id AS start, endNode(r).id AS end,
       r.curated AS curated
"""
NODES_CURATED = f"MATCH (n:{BASE_LABEL}) WHERE n.id IN $ids AND n.curated = true RETURN n.id AS id"
HAS_EDGES = f"MATCH (n:{BASE_LABEL}) WHERE n.id IN $ids AND EXISTS {{ (n)--() }} RETURN n.id AS id"
DELETE_RELS = f"""
UNWIND $rows AS row
MATCH (a:{BASE_LABEL} {{id: row.start}})-[r]->(b:{BASE_LABEL} {{id: row.end}}) WHERE r.id = row.id
DELETE r RETURN count(*) AS deleted
"""
DELETE_NODES = f"""
UNWIND $ids AS id MATCH (n:{BASE_LABEL} {{id: id}}) DETACH DELETE n RETURN count(*) AS deleted
"""
