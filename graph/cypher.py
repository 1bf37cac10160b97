"""Every Cypher statement the Neo4j store runs, as named constants.

User data only ever travels in ``$parameters``. Labels and relationship types cannot
be parameters in Cypher, so the few statements that need one are built by
:func:`for_label` / :func:`for_type` from the constants of :mod:`cruxmap.graph.schema` only.

Every node we write also carries :data:`BASE_LABEL`, so a lookup by ``id`` uses one
uniqueness constraint whatever the node's label, and our nodes never mix with other
data in the same database.
"""

from __future__ import annotations

import hashlib

from cruxmap.graph.schema import (
    ABOUT, ATTACKS, AUTHOR, CLAIM, COMMENT, CRUX, CRUX_OF, DISAGREEMENT, NODE_LABELS, NODE_PROPERTIES, PARTY_TO,
    POST, REL_TYPES, SUPPORTS, TOPIC, WROTE,
)

BASE_LABEL = "CruxmapNode"
META_LABEL = "CruxmapMeta"


def for_label(template: str, label: str) -> str:
    """``template`` with ``{label}`` filled in; only labels of the schema are accepted."""
    if label not in NODE_LABELS:
        raise ValueError(f"not a node label of the schema: {label!r}")
    return template.replace("{label}", label)


def for_property(template: str, label: str, key: str) -> str:
    """``template`` with ``{label}`` and ``{key}`` filled in: a label and one of its properties in the schema."""
    if key not in NODE_PROPERTIES.get(label, ()):
        raise ValueError(f"not a property of {label} in the schema: {key!r}")
    return for_label(template, label).replace("{key}", key)


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
    f"CREATE INDEX cruxmap_comment_post IF NOT EXISTS FOR (n:{COMMENT}) ON (n.post_id)",
    f"CREATE INDEX cruxmap_author_name IF NOT EXISTS FOR (n:{AUTHOR}) ON (n.name)",
    f"CREATE INDEX cruxmap_disagreement_status IF NOT EXISTS FOR (n:{DISAGREEMENT}) ON (n.status)",
    f"CREATE FULLTEXT INDEX cruxmap_text IF NOT EXISTS FOR (n:{CLAIM}|{CRUX}) ON EACH [n.text]",
    f"CREATE INDEX cruxmap_post_thread IF NOT EXISTS FOR (n:{POST}) ON (n.thread)",
    f"CREATE INDEX cruxmap_comment_thread IF NOT EXISTS FOR (n:{COMMENT}) ON (n.thread)",
    # ``instance``: a map wiped and written again must not repeat an earlier version (the app caches on it)
    f"MERGE (m:{META_LABEL} {{id: 'meta'}}) ON CREATE SET m.revision = 0, m.instance = randomUUID()",
]

#: Which schema a database has: recorded on the meta node once the statements above ran.
SCHEMA_REVISION = hashlib.sha1("\n".join(SCHEMA_STATEMENTS).encode("utf-8")).hexdigest()[:12]
SCHEMA_DONE = f"MATCH (m:{META_LABEL} {{id: 'meta'}}) RETURN m.schema AS schema"
SCHEMA_MARK = f"MATCH (m:{META_LABEL} {{id: 'meta'}}) SET m.schema = $schema"

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
# Pages of nodes by id: keyset paging on the id index ($after is the last id of the page before).
NODES_PAGE = f"""
MATCH (n:{BASE_LABEL}) WHERE n.id > $after RETURN n ORDER BY n.id LIMIT $limit
"""
NODES_OF_LABEL_PAGE = """
MATCH (n:{label}) WHERE n.id > $after RETURN n ORDER BY n.id LIMIT $limit
"""
NODES_WHERE = """
MATCH (n:{label}) WHERE n.{key} IN $values RETURN n ORDER BY n.id
"""
NODES_CONTAINING = """
MATCH (n:{label}) WHERE toLower(coalesce(n.{key}, '')) CONTAINS toLower($phrase) RETURN n ORDER BY n.id
"""
RELATIONSHIPS_PAGE = f"""
MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) WHERE ($type IS NULL OR type(r) = $type) AND r.id > $after
RETURN r, type(r) AS type, a.id AS start, b.id AS end ORDER BY r.id LIMIT $limit
"""
RELATIONSHIPS_FROM = f"""
MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) WHERE a.id IN $ids AND ($type IS NULL OR type(r) = $type)
RETURN r, type(r) AS type, a.id AS start, b.id AS end ORDER BY r.id
"""
RELATIONSHIPS_TO = f"""
MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) WHERE b.id IN $ids AND ($type IS NULL OR type(r) = $type)
RETURN r, type(r) AS type, a.id AS start, b.id AS end ORDER BY r.id
"""
RELATIONSHIP_COUNTS_BY_END = """
MATCH ()-[r:{type}]->(b) WITH b.id AS id, count(r) AS n RETURN id, n ORDER BY n DESC, id LIMIT $limit
"""
RELATIONSHIP_COUNTS_BY_START = """
MATCH (a)-[r:{type}]->() WITH a.id AS id, count(r) AS n RETURN id, n ORDER BY n DESC, id LIMIT $limit
"""
PROPERTY_COUNTS = """
MATCH (n:{label}) RETURN n.{key} AS value, count(*) AS n
"""
NODE_COUNTS = f"""
MATCH (n:{BASE_LABEL}) UNWIND labels(n) AS label WITH label WHERE label <> '{BASE_LABEL}'
RETURN label, count(*) AS n ORDER BY label
"""
REL_COUNTS = f"""
MATCH (:{BASE_LABEL})-[r]->(:{BASE_LABEL}) RETURN type(r) AS type, count(*) AS n ORDER BY type
"""
# The neighbours of each node, in id order, the first $cap of each.
NEIGHBOURS = f"""
UNWIND $ids AS id
MATCH (n:{BASE_LABEL} {{id: id}})
CALL (n) {{
  MATCH (n)--(m:{BASE_LABEL}) WITH DISTINCT m.id AS other RETURN other ORDER BY other LIMIT $cap
}}
RETURN n.id AS id, collect(other) AS others
"""
EXISTING_IDS = f"MATCH (n:{BASE_LABEL}) WHERE n.id IN $ids RETURN n.id AS id"
NODES_BY_IDS = f"MATCH (n:{BASE_LABEL}) WHERE n.id IN $ids RETURN n ORDER BY n.id"
RELATIONSHIPS_AMONG = f"""
MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) WHERE a.id IN $ids AND b.id IN $ids
RETURN r, type(r) AS type, a.id AS start, b.id AS end ORDER BY r.id
"""

# --- the primitives of the named queries (see GraphStore): ranked and cut where the data is
NO_LIMIT = 2**63 - 1  # what $limit is when the caller wants every row

AUTHOR_NAMES = f"MATCH (a:{AUTHOR}) RETURN a.id AS id, coalesce(a.name, '') AS name"
AUTHOR_NAMES_OF = f"MATCH (a:{AUTHOR}) WHERE a.id IN $ids RETURN a.id AS id, coalesce(a.name, '') AS name"

AUTHORS = f"""
MATCH (a:{AUTHOR})
RETURN a.id AS id, coalesce(a.name, '') AS name,
       COUNT {{ (a)-[:{WROTE}]->(:{POST}) }} AS posts,
       COUNT {{ (a)-[:{WROTE}]->(:{COMMENT}) }} AS comments,
       COUNT {{ MATCH (c:{CLAIM}) WHERE c.author_id = a.id }} AS claims
"""

# Claims, chosen one of three ways ({match}), in claim order, the first $limit.
CLAIMS = """
{match}
WITH c WHERE $text IS NULL OR toLower(coalesce(c.text, '')) CONTAINS $text
WITH c ORDER BY c.source_id, c.start, c.id LIMIT $limit
OPTIONAL MATCH (a:Author {{id: c.author_id}})
OPTIONAL MATCH (s:CruxmapNode {{id: c.source_id}})
RETURN properties(c) AS claim, a.name AS author, s.url AS url
"""
CLAIMS_ALL = CLAIMS.format(match=f"MATCH (c:{CLAIM})")
CLAIMS_OF_IDS = CLAIMS.format(match=f"MATCH (c:{CLAIM}) WHERE c.id IN $ids")
CLAIMS_BY_AUTHORS = CLAIMS.format(match=f"MATCH (c:{CLAIM}) WHERE c.author_id IN $authors")

RANKED_DISAGREEMENTS = f"""
MATCH (d:{DISAGREEMENT}) WHERE $status IS NULL OR coalesce(d.status, 'open') = $status
RETURN d.id AS id ORDER BY coalesce(d.confidence, 0) DESC, d.id LIMIT $limit
"""
DISAGREEMENTS_OF_AUTHORS = f"""
MATCH (c:{CLAIM})-[:{PARTY_TO}]->(d:{BASE_LABEL}) WHERE c.author_id IN $authors RETURN DISTINCT d.id AS id
"""
DISAGREEMENTS_OF_TOPICS = f"""
MATCH (t:{BASE_LABEL})<-[:{ABOUT}]-(:{BASE_LABEL})-[:{PARTY_TO}]->(d:{BASE_LABEL}) WHERE t.id IN $topics
RETURN DISTINCT d.id AS id
"""
DISAGREEMENT_ROWS = f"""
MATCH (d:{DISAGREEMENT}) WHERE d.id IN $ids
RETURN properties(d) AS d,
  COLLECT {{
    MATCH (c:{BASE_LABEL})-[p:{PARTY_TO}]->(d)
    OPTIONAL MATCH (a:{AUTHOR} {{id: c.author_id}})
    OPTIONAL MATCH (s:{BASE_LABEL} {{id: c.source_id}})
    RETURN {{side: coalesce(p.side, 'a'), claim: properties(c), author: a.name, url: s.url}} }} AS parties,
  COLLECT {{ MATCH (x:{BASE_LABEL})-[:{CRUX_OF}]->(d) RETURN x.id }} AS cruxes,
  COLLECT {{
    MATCH (d)<-[:{PARTY_TO}]-(:{BASE_LABEL})-[:{ABOUT}]->(t:{BASE_LABEL})
    RETURN DISTINCT [t.id, coalesce(t.label, '')] }} AS topics
"""
DISAGREEMENT_STATUSES = f"""
MATCH (d:{DISAGREEMENT}) RETURN coalesce(d.status, 'open') AS status, count(*) AS n ORDER BY status
"""

CRUXES = """
{match}
WITH x ORDER BY coalesce(x.score, 0) DESC, x.id LIMIT $limit
RETURN properties(x) AS crux, COLLECT {{ MATCH (x)-[:CRUX_OF]->(d:CruxmapNode) RETURN d.id }} AS disagreements
"""
CRUXES_ALL = CRUXES.format(match=f"MATCH (x:{CRUX})")
CRUXES_OF_IDS = CRUXES.format(match=f"MATCH (x:{CRUX}) WHERE x.id IN $ids")
CRUXES_OF_DISAGREEMENTS = f"""
MATCH (x:{BASE_LABEL})-[:{CRUX_OF}]->(d:{BASE_LABEL}) WHERE d.id IN $ids RETURN DISTINCT x.id AS id
"""

# Divergence: the stance edges between two authors' claims and the author pairs on opposite
# sides of each disagreement, summed per pair (ids ordered a < b). {stance} and {sides} choose
# the whole map or the pairs among $authors; {order} is one of DIVERGENCE_ORDER.
DIVERGENCE = """
CALL () {{
  {stance}
  WITH c1.author_id AS x, c2.author_id AS y, type(r) AS t, coalesce(r.confidence, 1.0) AS w
  WHERE x IS NOT NULL AND y IS NOT NULL AND x <> '' AND y <> '' AND x <> y
  WITH CASE WHEN x < y THEN x ELSE y END AS a, CASE WHEN x < y THEN y ELSE x END AS b, t, w
  RETURN a, b, sum(CASE WHEN t = 'ATTACKS' THEN w ELSE 0.0 END) AS dis,
         sum(CASE WHEN t = 'SUPPORTS' THEN w ELSE 0.0 END) AS agr, 0 AS n
  UNION ALL
  {sides}
  WITH d,
    COLLECT {{ MATCH (c:CruxmapNode)-[p:PARTY_TO]->(d) WHERE coalesce(p.side, 'a') = 'a' {among}
              RETURN DISTINCT c.author_id }} AS side_a,
    COLLECT {{ MATCH (c:CruxmapNode)-[p:PARTY_TO]->(d) WHERE coalesce(p.side, 'a') = 'b' {among}
              RETURN DISTINCT c.author_id }} AS side_b
  UNWIND side_a AS x
  UNWIND side_b AS y
  WITH x, y WHERE x IS NOT NULL AND y IS NOT NULL AND x <> '' AND y <> '' AND x <> y
  WITH CASE WHEN x < y THEN x ELSE y END AS a, CASE WHEN x < y THEN y ELSE x END AS b
  RETURN a, b, 0.0 AS dis, 0.0 AS agr, count(*) AS n
}}
WITH a, b, sum(dis) AS dis, sum(agr) AS agr, sum(n) AS n
MATCH (p:Author {{id: a}})
MATCH (q:Author {{id: b}})
WITH a, coalesce(p.name, '') AS a_name, b, coalesce(q.name, '') AS b_name, dis, agr, n
RETURN a, a_name, b, b_name, dis AS disagree, agr AS agree, n AS disagreements
ORDER BY {order} LIMIT $limit
"""
DIVERGENCE_ORDER = {
    "weight": "round(dis, 4) DESC, n DESC, a, b",
    "count": "n DESC, round(dis, 4) DESC, a_name, b_name, a, b",
}
_STANCE_ALL = f"MATCH (c1:{BASE_LABEL})-[r:{ATTACKS}|{SUPPORTS}]->(c2:{BASE_LABEL})"
_STANCE_AMONG = (f"MATCH (c1:{CLAIM})-[r:{ATTACKS}|{SUPPORTS}]->(c2:{BASE_LABEL}) "
                 "WHERE c1.author_id IN $authors AND c2.author_id IN $authors")
_SIDES_ALL = f"MATCH (d:{DISAGREEMENT})"
_SIDES_AMONG = (f"MATCH (c0:{CLAIM})-[:{PARTY_TO}]->(d:{DISAGREEMENT}) WHERE c0.author_id IN $authors "
                "WITH DISTINCT d")


def divergence(among: bool, rank: str) -> str:
    """The divergence statement for the whole map or the pairs among ``$authors``, in ``rank`` order."""
    return DIVERGENCE.format(stance=_STANCE_AMONG if among else _STANCE_ALL,
                             sides=_SIDES_AMONG if among else _SIDES_ALL,
                             among="AND c.author_id IN $authors" if among else "",
                             order=DIVERGENCE_ORDER[rank])


TOPICS = f"""
MATCH (t:{TOPIC})
WITH t.id AS id, coalesce(t.label, '') AS label, COUNT {{ (:{BASE_LABEL})-[:{ABOUT}]->(t) }} AS claims
RETURN id, label, claims ORDER BY claims DESC, label, id LIMIT $limit
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
