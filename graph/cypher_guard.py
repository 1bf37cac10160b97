"""What a user's raw Cypher may do: the server's own plan decides, not a word list.

``cruxmap cypher`` and the app's Cypher box run a user's statement on the Neo4j store. Reading
the graph is the point; everything else is refused **before the statement runs**, from the plan
that ``EXPLAIN`` returns for it (the server parses and plans the text; nothing executes):

* the statement must be a read (the plan's query type ``r``), unless the caller allows writes;
* no ``LOAD CSV`` (it reads the server's files and makes the server fetch URLs);
* no procedure outside :data:`ALLOWED_PROCEDURES` / :data:`ALLOWED_PROCEDURE_PREFIXES` (the
  schema and full-text look-ups): ``db.clearQueryCaches()``, ``dbms.listConfig()`` and the
  like are refused;
* no administration or ``SHOW`` / ``TERMINATE`` command, nothing planned on the ``system``
  database;
* no user-defined function (a plugin such as APOC can fetch URLs from a function call).

The statement then runs in a READ access-mode transaction, so the server itself refuses any
write the plan check could have missed. With ``--write`` only the first rule is lifted.

Examples
--------
>>> plan = {"operatorType": "ProduceResults@neo4j", "args": {}, "children": [
...     {"operatorType": "LoadCSV@neo4j", "args": {"Details": "l"}, "children": []}]}
>>> refusal(plan, "r")
'LOAD CSV is refused: raw Cypher may not read files or URLs through the server'
>>> refusal({"operatorType": "ProcedureCall@neo4j", "args": {"Details": "db.labels() :: (label :: STRING)"}}, "r") is None
True
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

#: Read-only procedures a raw query may call, by exact name ...
ALLOWED_PROCEDURES = frozenset({"db.labels", "db.relationshipTypes", "db.propertyKeys"})
#: ... or by prefix (the schema procedures and the full-text index queries).
ALLOWED_PROCEDURE_PREFIXES = ("db.schema.", "db.index.fulltext.query")

#: Plan operators that are never allowed, whatever the query type says.
_REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV is refused: raw Cypher may not read files or URLs through the server",
    "AdministrationCommand": "administration commands are refused",
    "SystemProcedureCall": "system procedures are refused",
}
#: Operator name prefixes of commands (SHOW TRANSACTIONS lists other users' queries, TERMINATE
#: ends them; CREATE/DROP of indexes and constraints are schema changes).
_REFUSED_PREFIXES = ("Show", "Terminate", "CreateIndex", "CreateConstraint", "DropIndex",
                     "DropConstraint", "CreateDatabase", "DropDatabase", "AlterDatabase",
                     "StartDatabase", "StopDatabase")
_WRITE_TYPES = {"w", "rw", "s"}


def operators(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every operator of a plan tree (as the driver returns it: ``operatorType``, ``args``, ``children``)."""
    stack = [plan]
    while stack:  # iterative: a deep plan is no reason to recurse
        op = stack.pop()
        yield op
        stack.extend(op.get("children") or ())


def _name(op: dict[str, Any]) -> tuple[str, str]:
    """(operator, database) from ``"ProcedureCall@neo4j"``."""
    name, _, database = str(op.get("operatorType", "")).partition("@")
    return name, database


def procedure_name(op: dict[str, Any]) -> str:
    """The procedure a ``ProcedureCall`` operator calls, from its details (``db.labels() :: ...``)."""
    details = str((op.get("args") or {}).get("Details", ""))
    return details.split("(", 1)[0].strip().replace("`", "")


def procedure_allowed(name: str) -> bool:
    return name in ALLOWED_PROCEDURES or name.startswith(ALLOWED_PROCEDURE_PREFIXES)


def refusal(plan: dict[str, Any], query_type: str, allow_writes: bool = False,
            user_functions: Iterable[str] = (), text: str = "") -> str | None:
    """Why the statement with this ``EXPLAIN`` plan may not run, or None when it may.

    ``user_functions``: the server's user-defined function names (``SHOW FUNCTIONS`` where not
    built in); a call to one in ``text`` or in the plan is refused.
    """
    details = [text]
    for op in operators(plan):
        name, database = _name(op)
        args = op.get("args") or {}
        if database == "system" or args.get("planner") == "ADMINISTRATION":
            return "administration commands are refused"
        if name in _REFUSED_OPERATORS:
            return _REFUSED_OPERATORS[name]
        if name.startswith(_REFUSED_PREFIXES):
            return f"{_command(name)} is refused: raw Cypher may only read the map"
        if name == "ProcedureCall" and not procedure_allowed(procedure_name(op)):
            return (f"procedure {procedure_name(op) or '?'} is refused (allowed: "
                    f"{', '.join(sorted(ALLOWED_PROCEDURES))}, db.schema.*, db.index.fulltext.query*)")
        details.append(str(args.get("Details", "")))
    if query_type in _WRITE_TYPES and not allow_writes:
        return "this query writes; pass --write to allow it"
    called = _called_functions(" ".join(details))
    for fn in user_functions:
        if fn.lower() in called:
            return f"user-defined function {fn} is refused"
    return None


def _command(operator: str) -> str:
    """``ShowTransactions`` -> ``SHOW TRANSACTIONS``."""
    return " ".join(re.findall(r"[A-Z][a-z]*", operator)).upper() or operator


_CALL = re.compile(r"([A-Za-z_`][\w`]*(?:\s*\.\s*[A-Za-z_`][\w`]*)*)\s*\(")


def _called_functions(text: str) -> set[str]:
    """Lower-cased ``name.space.fn`` of every call-like ``name(`` in ``text`` (backticks dropped)."""
    return {re.sub(r"[\s`]", "", m.group(1)).lower() for m in _CALL.finditer(text)}
