"""Shared fixtures: loopback servers, real databases (SQLite file and the local PostgreSQL), and
paths to the shared corpora. Nothing here touches the internet."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import httpx
import pytest

from flows.prefect_env import configure_prefect_env

configure_prefect_env()  # before any test imports Prefect

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
POSTGRES_ADMIN_URL = os.environ.get(
    "NEWSWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DEMO_SITE = files("flows.demo_site")


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpora live beside the repo in ../shared")
    return path


@pytest.fixture
def seeds() -> list[Path]:
    return sorted(require_shared(SEEDS).glob("*.txt"))


@pytest.fixture
def site() -> Iterator[object]:
    """The bundled demo site, served on a loopback port."""
    from flows.local_servers import SiteServer

    with SiteServer(DEMO_SITE) as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[object]:
    from flows.local_servers import WebhookReceiver

    with WebhookReceiver() as hook:
        yield hook


def _postgres_available() -> str | None:
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(POSTGRES_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the local PostgreSQL; skip (or fail, when NEWSWATCH_REQUIRE_POSTGRES=1,
    as .ci/run sets) when it is unreachable."""
    problem = _postgres_available()
    if problem:
        message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable ({problem})"
        if os.environ.get("NEWSWATCH_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + "; CI requires it", pytrace=False)
        pytest.skip(message)
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import sqlalchemy

    name = f"newswatch_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    url = sqlalchemy.engine.make_url(postgres_server).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs twice: on a real SQLite file and on the real local PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'newswatch.db'}"
    return str(request.getfixturevalue("postgres_url"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked ``slow`` first (the order is otherwise kept): under pytest-xdist each
    file goes to one worker as a unit, and a long file started last keeps one worker busy
    while the other has nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


PREFECT = str(Path(sys.executable).parent / "prefect")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server (SQLite under a temporary PREFECT_HOME), scheduler looping fast."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
    }
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{api}/health", timeout=2).json() is True:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("prefect server did not become healthy within 120 s")
        yield api
    finally:
        from tests.helpers import stop_process

        stop_process(server)
        log.close()
