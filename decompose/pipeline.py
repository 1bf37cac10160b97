"""The decomposition pipeline: a :class:`Thread` in, a :class:`CruxMap` out.

Stages run in order, each a pure function of the thread and what earlier stages
found (see each module's docstring for its input and output):

0. :mod:`cruxmap.decompose.replies` — where a pasted page lost the reply tree, a comment that opens
   by naming an earlier author answers that author's latest item, and one that quotes a
   single earlier item word for word answers that item.
1. :mod:`cruxmap.decompose.claims` — sentence-level claims with exact spans.
2. :mod:`cruxmap.decompose.stance` — each reply claim's stance toward what it answers
   (ATTACKS / SUPPORTS), and each reply's overall stance.
3. :mod:`cruxmap.decompose.disagreements` — attack edges between two authors grouped into
   disagreements (plus contradictions between unrelated posts).
4. :mod:`cruxmap.decompose.cruxes` — what each disagreement hinges on, ranked.
5. :mod:`cruxmap.decompose.topics` — readable topic labels and SAME_AS links between authors' claims.

Optional, with ``encoder=`` (:class:`cruxmap.decompose.minilm.MiniLMEncoder`, ``cruxmap ingest
--stance-encoder minilm``): the stance stage's reply model also reads sentence-embedding
similarities from all-MiniLM-L6-v2 (better stances, several times slower).

Optional, only with an LLM configured (``llm=LLMConfig(...)``, or ``CRUXMAP_LLM_URL`` set):
:mod:`cruxmap.decompose.llm` adds ``llm`` after the stance stage (a chat model's stances replace the
offline ones for replies with a known parent, every quote checked verbatim) and
``llm-cruxes`` after the crux stage (the cruxes it names). Without one, nothing changes.

A failure inside a stage is raised as :class:`cruxmap.graph.errors.DecomposeError` naming it.

Examples
--------
>>> from cruxmap.graph.schema import Thread, Post
>>> m = decompose(Thread("x", posts=(Post(id="p", text="Cats purr. Dogs bark."),)))
>>> [c.text for c in m.claims]
['Cats purr.', 'Dogs bark.']
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from typing import Callable

from cruxmap.graph.errors import CruxmapError, DecomposeError
from cruxmap.graph.schema import CruxMap, Thread

from cruxmap.decompose import claims as claims_stage
from cruxmap.decompose import llm as llm_stage
from cruxmap.decompose.cruxes import find_cruxes
from cruxmap.decompose.disagreements import find_disagreements
from cruxmap.decompose.replies import recover_replies
from cruxmap.decompose.stance import assign_stances
from cruxmap.decompose.topics import assign_topics

Stage = Callable[[CruxMap], CruxMap]


def _claims(m: CruxMap) -> CruxMap:
    return replace(m, claims=claims_stage.split_claims(m.thread))


def stages(llm: llm_stage.LLMStage | None = None, encoder=None) -> list[tuple[str, Stage]]:
    """The stages in order, as ``(name, function)``; each takes and returns a CruxMap.

    With ``llm``, its two stages join: ``llm`` after ``stance``, ``llm-cruxes`` after ``cruxes``.
    With ``encoder``, the stance stage reads its sentence embeddings too.
    """
    extra = {"stance": [("llm", llm.refine_stances)], "cruxes": [("llm-cruxes", llm.add_cruxes)]} \
        if llm is not None else {}
    out: list[tuple[str, Stage]] = []
    stance = partial(assign_stances, encoder=encoder) if encoder is not None else assign_stances
    for step in [("replies", recover_replies), ("claims", _claims), ("stance", stance),
                 ("disagreements", find_disagreements), ("cruxes", find_cruxes),
                 ("topics", assign_topics)]:
        out += [step] + extra.get(step[0], [])
    return out


def decompose(thread: Thread, timings: dict[str, float] | None = None,
              llm: llm_stage.LLMConfig | llm_stage.LLMClient | bool | None = None,
              encoder=None) -> CruxMap:
    """Run every stage over ``thread``; add each stage's seconds to ``timings`` if given.

    ``llm``: an :class:`cruxmap.decompose.llm.LLMConfig` or client to refine stances with a chat
    model; None (the default) uses one only if :func:`cruxmap.decompose.llm.using` or
    ``CRUXMAP_LLM_URL`` names one; False never does. ``encoder``: the optional stance encoder
    (:class:`cruxmap.decompose.minilm.MiniLMEncoder`); None keeps the default features only.
    """
    client = llm_stage.resolve(llm)
    m = CruxMap(thread=thread)
    for name, stage in stages(llm_stage.LLMStage(client) if client is not None else None, encoder):
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
