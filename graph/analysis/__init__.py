"""Analysis: questions asked of a map, one module per question.

Every function takes a :class:`cruxmap.graph.store.GraphStore` first and returns plain data
(dicts, lists, str, int, float), so results can be cached, serialised and compared,
and the same code answers on the embedded store and on Neo4j. Nothing here draws.

* :mod:`cruxmap.graph.analysis.overview` — the map at a glance: size, top cruxes, pairs, topics.
* :mod:`cruxmap.graph.analysis.divergence` — the author x author matrix and the diff of two authors.
* :mod:`cruxmap.graph.analysis.explorer` — the argument graph around a crux, a claim or a phrase.
* :mod:`cruxmap.graph.analysis.threads` — a post with its comment tree and each item's claims.
"""
