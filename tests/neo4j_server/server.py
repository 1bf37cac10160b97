"""Start and stop a real Neo4j 5 Community server for tests and CI, without Docker.

The server is Neo4j itself, run in-process by a small Java launcher (``Launcher.java`` beside this file,
built with Maven on ``org.neo4j.test:neo4j-harness``). It binds Bolt to 127.0.0.1 on a free port, stores
its data in a throw-away folder, and prints its ``bolt://`` URI when it answers queries.

Use it from Python::

    uri, process = start_neo4j(timeout=120)
    try:
        ...  # neo4j.GraphDatabase.driver(uri, auth=AUTH)
    finally:
        stop_neo4j(process)

To load files with the real ``neo4j-admin database import`` and serve the result::

    admin = write_neo4j_admin(bin_dir, home)      # a `neo4j-admin` script working on folder `home`
    subprocess.run([admin, "database", "import", "full", "neo4j", "--nodes=...", ...], check=True)
    uri, process = start_neo4j(copy_from=home)   # a server on a copy of that store

or from a shell (``.ci/run``)::

    python tests/neo4j_server/server.py build   # Maven download + compile, cached in ~/.m2
    python tests/neo4j_server/server.py run     # prints the URI, serves until Ctrl-C / SIGTERM

Needs Java 17+ and Maven 3 on PATH (or ``JAVA_HOME`` / ``MVN``), and Maven Central the first time.
"""

from __future__ import annotations

import os
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = [
    "AUTH",
    "PASSWORD",
    "USER",
    "Neo4jServerError",
    "build_launcher",
    "launcher_command",
    "neo4j_admin_command",
    "start_neo4j",
    "stop_neo4j",
    "wait_until_answering",
    "wipe_database",
    "write_neo4j_admin",
]

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
SOURCES = HERE / "src"
CLASSES = HERE / "target" / "classes"
CLASSPATH_FILE = HERE / "target" / "classpath.txt"
MAIN_CLASS = "cruxmap.testserver.Launcher"
#: The entry point of Neo4j's ``neo4j-admin`` (commands from neo4j-command-line, neo4j-import-tool, ...).
ADMIN_MAIN_CLASS = "org.neo4j.cli.AdminTool"

USER = "neo4j"
PASSWORD = "cruxmap-test"
AUTH = (USER, PASSWORD)

# Modest memory for a 2-core CI box: the test data is small, and the page cache is set by the launcher.
JVM_OPTIONS = [
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseParallelGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]


class Neo4jServerError(RuntimeError):
    """The test server could not be built or started; the message says why."""


def _tool(name: str, env_var: str) -> str:
    """Return the path of a command-line tool, preferring ``$env_var``."""
    override = os.environ.get(env_var)
    if override:
        return override
    found = shutil.which(name)
    if found is None:
        raise Neo4jServerError(f"`{name}` not found on PATH (set {env_var} to point at it)")
    return found


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return _tool("java", "JAVA")


def _newest_input_mtime() -> float:
    inputs = [POM, *SOURCES.rglob("*.java")]
    return max(path.stat().st_mtime for path in inputs)


def _is_built() -> bool:
    """True when the compiled launcher and its classpath are newer than the sources and all jars exist."""
    if not CLASSPATH_FILE.exists() or not CLASSES.exists():
        return False
    if CLASSPATH_FILE.stat().st_mtime < _newest_input_mtime():
        return False
    jars = CLASSPATH_FILE.read_text().strip().split(os.pathsep)
    return all(Path(jar).exists() for jar in jars)


def build_launcher(*, force: bool = False, timeout: float = 900.0) -> None:
    """Compile the launcher and resolve its jars with Maven, unless that is already done.

    Parameters
    ----------
    force : bool
        Build even if the output looks up to date.
    timeout : float
        Seconds Maven may take; the first build downloads about 150 MB into ``~/.m2``.

    Raises
    ------
    Neo4jServerError
        If Maven is missing, fails or times out; the message ends with Maven's last output lines.
    """
    if not force and _is_built():
        return
    command = [_tool("mvn", "MVN"), "-q", "-B", "-Dstyle.color=never", "-f", str(POM), "package"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise Neo4jServerError(f"Maven build of the Neo4j launcher took over {timeout:.0f}s") from error
    if done.returncode == 0 and CLASSPATH_FILE.exists():
        CLASSPATH_FILE.touch()  # Maven leaves an unchanged classpath file alone; mark this build as fresh
    if done.returncode != 0 or not _is_built():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise Neo4jServerError(f"Maven build of the Neo4j launcher failed (exit {done.returncode}):\n{tail}")


def _classpath() -> str:
    return os.pathsep.join([str(CLASSES), CLASSPATH_FILE.read_text().strip()])


def launcher_command(
    *,
    port: int = 0,
    password: str | None = PASSWORD,
    workdir: Path | None = None,
    page_cache_mb: int = 64,
    copy_from: Path | None = None,
) -> list[str]:
    """Return the ``java`` command line that runs the launcher (built beforehand)."""
    command = [_java(), *JVM_OPTIONS, "-cp", _classpath(), MAIN_CLASS, "--port", str(port), "--exit-on-eof",
               "--page-cache-mb", str(page_cache_mb)]
    if password is not None:
        command += ["--password", password]
    if workdir is not None:
        command += ["--workdir", str(workdir)]
    if copy_from is not None:
        command += ["--copy-from", str(copy_from)]
    return command


def neo4j_admin_command() -> list[str]:
    """Return the ``java`` command line of Neo4j's own ``neo4j-admin`` tool, from the launcher's jars.

    It is the code the ``neo4j-admin`` script of a Neo4j distribution runs (``org.neo4j.cli.AdminTool``,
    the same 5.26 release as the server); append its arguments, e.g. ``database import full neo4j ...``.
    It finds its folders through the ``NEO4J_HOME`` and ``NEO4J_CONF`` environment variables, which
    :func:`write_neo4j_admin` sets.
    """
    build_launcher()
    return [_java(), *JVM_OPTIONS, "-cp", _classpath(), ADMIN_MAIN_CLASS]


def write_neo4j_admin(bin_dir: Path, home: Path) -> Path:
    """Write an executable ``neo4j-admin`` script into ``bin_dir`` that runs the real tool on ``home``.

    ``home`` becomes the tool's Neo4j home (created, with an empty ``conf/neo4j.conf``): an import writes
    its store to ``home/data``, which :func:`start_neo4j` can then serve with ``copy_from=home``. Putting
    ``bin_dir`` first on ``PATH`` lets a script written for a Neo4j installation (such as the ``import.sh``
    of the csv export) run unchanged.

    Returns
    -------
    Path
        The script.
    """
    (home / "conf").mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").touch()
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "neo4j-admin"
    script.write_text(
        "#!/bin/sh\n"
        f"export NEO4J_HOME={shlex.quote(str(home))} NEO4J_CONF={shlex.quote(str(home / 'conf'))}\n"
        f"exec {shlex.join(neo4j_admin_command())} \"$@\"\n"
    )
    script.chmod(0o755)
    return script


def _read_uri(process: subprocess.Popen, deadline: float) -> str | None:
    """Wait for the launcher's one stdout line; None if it exits or the deadline passes first."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
                line = process.stdout.readline()
                if not line:  # stdout closed: the JVM is gone
                    return None
                if line.startswith("bolt://"):
                    return line.strip()
            elif process.poll() is not None:
                return None
    return None


def wait_until_answering(uri: str, auth: tuple[str, str] | None = AUTH, timeout: float = 30.0) -> None:
    """Block until ``RETURN 1`` answers over Bolt, using the official ``neo4j`` driver.

    Raises
    ------
    Neo4jServerError
        If no answer came within ``timeout`` seconds.
    """
    import neo4j  # imported here so that building and the CLI work without the driver

    deadline = time.monotonic() + timeout
    while True:
        try:
            with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
                records, _, _ = driver.execute_query("RETURN 1 AS one")
                if records[0]["one"] == 1:
                    return
        except neo4j.exceptions.Neo4jError:
            raise  # the server answered with an error (bad credentials, ...): waiting will not help
        except (neo4j.exceptions.DriverError, OSError) as error:
            if time.monotonic() > deadline:
                raise Neo4jServerError(f"Neo4j at {uri} did not answer RETURN 1 within {timeout:.0f}s: {error}")
            time.sleep(0.2)


def start_neo4j(
    timeout: float = 120.0,
    *,
    port: int = 0,
    password: str | None = PASSWORD,
    page_cache_mb: int = 64,
    build_timeout: float = 900.0,
    copy_from: Path | None = None,
) -> tuple[str, subprocess.Popen]:
    """Build the launcher if needed, start a fresh Neo4j and wait until it answers ``RETURN 1``.

    Parameters
    ----------
    timeout : float
        Seconds the server may take to start (not counting the Maven build).
    port : int
        Bolt port on 127.0.0.1; 0 picks a free one.
    password : str or None
        Password of user ``neo4j`` (``PASSWORD`` by default, so ``AUTH`` logs in);
        None disables authentication.
    page_cache_mb : int
        Neo4j's page cache; the default suits test data, a benchmark may want a few hundred MB.
    build_timeout : float
        Seconds the Maven build may take when one is needed.
    copy_from : Path or None
        A Neo4j home folder to start from instead of an empty store (a copy is served; the folder is left
        as it is), e.g. the ``home`` that :func:`write_neo4j_admin`'s ``database import full`` filled.

    Returns
    -------
    uri : str
        ``bolt://127.0.0.1:<port>``.
    process : subprocess.Popen
        The server's JVM; pass it to :func:`stop_neo4j`. Its stderr goes to a log file named in
        ``process.log_path``, and its data folder (``process.workdir``) is deleted when it stops.

    Raises
    ------
    Neo4jServerError
        If Java or Maven is missing, the build fails, or the server does not answer in time.

    See Also
    --------
    stop_neo4j : stops the server by PID and removes its data.
    """
    build_launcher(timeout=build_timeout)
    workdir = Path(tempfile.mkdtemp(prefix="cruxmap-neo4j-"))
    log_path = workdir / "launcher.log"
    with open(log_path, "w") as log:
        # stdin stays an open pipe: the launcher exits when it closes, so a killed test run leaves no server.
        process = subprocess.Popen(
            launcher_command(port=port, password=password, workdir=workdir, page_cache_mb=page_cache_mb,
                             copy_from=copy_from),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    process.workdir = workdir
    process.log_path = log_path
    deadline = time.monotonic() + timeout
    uri = _read_uri(process, deadline)
    try:
        if uri is None:
            raise Neo4jServerError(_startup_failure(process, timeout))
        auth = (USER, password) if password is not None else None
        wait_until_answering(uri, auth, timeout=max(1.0, deadline - time.monotonic()))
    except BaseException:
        stop_neo4j(process)
        raise
    return uri, process


def _startup_failure(process: subprocess.Popen, timeout: float) -> str:
    code = process.poll()
    reason = f"exited with code {code}" if code is not None else f"printed no URI within {timeout:.0f}s"
    log_lines = process.log_path.read_text(errors="replace").strip().splitlines()
    return f"Neo4j test server {reason}; last log lines:\n" + "\n".join(log_lines[-20:])


def stop_neo4j(process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Stop a server from :func:`start_neo4j` by its PID: SIGTERM, then SIGKILL after ``timeout`` seconds.

    The launcher's shutdown hook closes Neo4j and deletes its store; the temporary folder around it is
    removed here. Stopping an already stopped server does nothing.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # by PID; a no-op if it was reaped meanwhile
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
    workdir = getattr(process, "workdir", None)
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


def wipe_database(uri: str, auth: tuple[str, str] | None = AUTH, *, drop_schema: bool = False) -> None:
    """Delete every node and relationship (and, if asked, every constraint and index) in the database.

    Neo4j Community has a single user database, so tests share it and clean it between themselves.
    """
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
        with driver.session() as session:  # CALL ... IN TRANSACTIONS needs an auto-commit transaction
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        if drop_schema:
            for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
                driver.execute_query("DROP CONSTRAINT $name", name=record["name"])
            for record in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").records:
                driver.execute_query("DROP INDEX $name", name=record["name"])


def _serve() -> int:
    """``run``: start a server, print its URI, serve until interrupted."""
    started = time.monotonic()
    uri, process = start_neo4j()
    print(uri, flush=True)
    print(f"answering after {time.monotonic() - started:.1f}s; user {USER!r}, password {PASSWORD!r}; "
          f"Ctrl-C stops it", file=sys.stderr, flush=True)
    # Leave the wait by an exception, so that stopping happens outside the signal handler.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_neo4j(process)
    return 0 if process.returncode in (0, 143, -signal.SIGTERM) else 1


def main(argv: list[str]) -> int:
    commands = {"build": lambda: build_launcher(force="--force" in argv) or 0, "run": _serve}
    if not argv or argv[0] not in commands:
        print("usage: server.py build [--force] | run", file=sys.stderr)
        return 64
    try:
        return commands[argv[0]]()
    except Neo4jServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
