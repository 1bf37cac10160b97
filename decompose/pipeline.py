"""The decomposition pipeline: a :class:`Thread` in, a :class:`CruxMap` out.

Stages run in order, each a pure function of the thread and what earlier stages
found (see each module's docstring for its input and output):

1. :mod:`decompose.claims` — sentence-level claims with exact spans.
2. :mod:`decompose.stance` — each reply claim's stance toward what it answers
   (ATTACKS / SUPPORTS), and each reply's overall stance.
3. :mod:`decompose.disagreements` — attack edges between two authors grouped into
   disagreements (plus contradictions between unrelated posts).
4. :mod:`decompose.cruxes` — what each disagreement hinges on, ranked.
5. :mod:`decompose.topics` — readable topic labels and SAME_AS links between authors' claims.

A failure inside a stage is raised as :class:`graph.errors.DecomposeError` naming it.

Examples
--------
>>> from graph.schema import Thread, Post
>>> m = decompose(Thread("x", posts=(Post(id="p", text="Cats purr. Dogs bark."),)))
>>> [c.text for c in m.claims]
['Cats purr.', 'Dogs bark.']
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from graph.errors import CruxmapError, DecomposeError
from graph.schema import CruxMap, Thread

from decompose import claims as claims_stage
from decompose.cruxes import find_cruxes
from decompose.disagreements import find_disagreements
from decompose.stance import assign_stances
from decompose.topics import assign_topics

Stage = Callable[[CruxMap], CruxMap]


def _claims(m: CruxMap) -> CruxMap:
    return replace(m, claims=claims_stage.split_claims(m.thread))


def stages() -> list[tuple[str, Stage]]:
    """The stages in order, as ``(name, function)``; each takes and returns a CruxMap."""
    return [("claims", _claims), ("stance", assign_stances),
            ("disagreements", find_disagreements), ("cruxes", find_cruxes),
            ("topics", assign_topics)]


def decompose(thread: Thread, timings: dict[str, float] | None = None) -> CruxMap:
    """Run every stage over ``thread``; add each stage's seconds to ``timings`` if given."""
    m = CruxMap(thread=thread)
    for name, stage in stages():
        started = time.perf_counter()
        try:
            m = stage(m)
            if timings is not None:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        except CruxmapError:
            raise
        except Exception as e:  # name the stage: a bare traceback from deep inside helps nobody
            raise DecomposeError(name, f"{type(e).__name__}: {e}") from e
    return m
