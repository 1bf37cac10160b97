"""docker-compose.yml is valid for users, checked without a Docker daemon."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[1]


def compose(*args: str, password: str | None) -> subprocess.CompletedProcess:
    exe = shutil.which("docker-compose")
    if exe is None:
        unavailable("docker-compose is not installed (scripts/test installs it)")
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    if password:
        env["NEO4J_PASSWORD"] = password
    return subprocess.run([exe, "-f", str(ROOT / "docker-compose.yml"), *args], cwd=ROOT.parent,
                          env=env, capture_output=True, text=True, timeout=60)


def test_compose_file_is_valid_and_wires_the_app_to_neo4j():
    result = compose("config", password="s3cret")
    assert result.returncode == 0, result.stderr
    config = result.stdout
    assert "image: neo4j:5.26-community" in config
    assert "CRUXMAP_DB: bolt://neo4j:7687" in config
    assert "NEO4J_AUTH: neo4j/s3cret" in config
    assert "condition: service_healthy" in config


def test_compose_refuses_to_start_without_a_password():
    result = compose("config", "-q", password=None)
    assert result.returncode != 0
    assert "set NEO4J_PASSWORD" in result.stderr


def test_compose_publishes_on_this_machine_only_by_default():
    config = compose("config", password="s3cret").stdout
    for port in ("8501", "7474", "7687"):
        assert f"127.0.0.1:{port}:{port}" in config, config
    assert "0.0.0.0:" not in config
