"""Revocation across processes: ``netatlas token revoke`` (one process) ends a token that a running
``netatlas serve`` (another) has just been accepting, within the server's remembering time.

The server remembers a valid token for ``AUTH_CACHE_TTL_S`` seconds (``netatlas.jobs.accounts``), so
that a poller costs no database read per request; this test is what makes that safe: the revoked
token is refused by the real server, over HTTP, without a restart, within the TTL (plus the time a
loaded machine takes to answer).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from netatlas.jobs.accounts import AUTH_CACHE_TTL_S
from tests.integration.api.test_serve import free_loopback_port, wait_up
from tests.integration.discovery.helpers import CLI, cli, cli_env

pytestmark = pytest.mark.integration

SLACK_S = 5.0  # a loaded 2-core machine's answer time on top of the TTL


@dataclass
class Served:
    base: str
    home: Path
    db_url: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home, data = tmp_path_factory.mktemp("revoke-home"), tmp_path_factory.mktemp("revoke-db")
    db_url = f"sqlite:///{data / 'netatlas.db'}"
    port = free_loopback_port()
    log = data / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*CLI, "serve", "--port", str(port), "--db", db_url], env=cli_env(home),
                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base, process, log)
            yield Served(base, home, db_url)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def me(served: Served, token: str) -> int:
    return httpx.get(f"{served.base}/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code


def test_a_token_revoked_by_the_cli_is_refused_by_the_server_within_the_ttl(served: Served) -> None:
    made = cli(["token", "create", "--name", "revoked-soon", "--role", "viewer", "--db", served.db_url], served.home)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert [me(served, token) for _ in range(3)] == [200, 200, 200]  # accepted, and now remembered

    done = cli(["token", "revoke", "revoked-soon", "--db", served.db_url], served.home)
    assert done.returncode == 0, done.stderr
    revoked = time.monotonic()
    while (status := me(served, token)) == 200:
        assert time.monotonic() - revoked < AUTH_CACHE_TTL_S + SLACK_S, "the revoked token still works"
        time.sleep(0.1)
    assert status == 401
    assert me(served, token) == 401  # and it stays refused


def test_a_token_made_by_the_cli_works_at_once(served: Served) -> None:
    assert me(served, "nat_" + "B" * 43) == 401  # a refused token is not remembered...
    made = cli(["token", "create", "--name", "fresh", "--role", "viewer", "--db", served.db_url], served.home)
    assert made.returncode == 0, made.stderr
    assert me(served, made.stdout.strip()) == 200  # ...and a new one needs no wait
