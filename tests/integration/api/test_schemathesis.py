"""Schemathesis against the app's own OpenAPI spec, in process (ASGI), as an admin (a real token).

Every operation the spec lists is fuzzed: Hypothesis generates requests from the spec, valid ones
(positive mode) and ones that break it (negative mode), and each answer is checked: no 5xx
(``not_a_server_error``), the body matches the schema declared for its status
(``response_schema_conformance``), the status is one the operation declares
(``status_code_conformance``) and so is the content type (``content_type_conformance``). Every
failing operation is reported at the end with schemathesis's report: the response and a curl
command that reproduces it (the token filtered out).

Bounded so it stays under two minutes on this (loaded, 2-core) machine: few examples per operation,
derandomized from a fixed seed (the same requests every run, so a failure reproduces), no
shrinking, no deadline. The Authorization header is not fuzzed (``with-security-parameters``
off): a mangled token gets a 401, which says nothing about the operation. One backend is enough:
SQLite; request handling and schemas are the same on both, and PostgreSQL is covered by the other
API tests.

Operations that can revoke or demote a token (tokens, users, the password: :data:`SELF_AFFECTING`)
get a fresh admin token for each example and run last: values from earlier responses (``GET
/api/tokens`` lists ``test-admin``) feed later requests, and a revoked run token would turn every
request after it into a 401. Nothing is excluded.

The operations are walked here rather than through ``@schema.parametrize()``: schemathesis 4.32's
lazy pytest integration (``from_fixture``) fails on pytest 9 (``'Function' object has no attribute
'_nodeid'``), and the app (a database, tokens) only exists once the fixtures ran.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from netatlas.domain.accounts import Role
from tests.integration.api.harness import Api, open_api
from tests.integration.discovery.helpers import migrated

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SEED = 9_2026
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
SELF_AFFECTING = r"^/api/(tokens|users)(/|$)|^/api/auth/password$"  # may revoke or demote a token
Operation = APIOperation[Any, Any, Any, Any]
PATH_ONLY_NEGATIVE_EXAMPLES = 3  # see _examples


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = migrated(f"sqlite:///{tmp_path_factory.mktemp('fuzz-db') / 'netatlas.db'}")
    with open_api(url, tmp_path_factory.mktemp("fuzz-home")) as opened:
        yield opened


@pytest.fixture(scope="module")
def spec(api: Api) -> BaseSchema:
    config = schemathesis.Config.from_dict({"seed": SEED, "generation": {
        "max-examples": MAX_EXAMPLES, "with-security-parameters": False}})
    return schemathesis.openapi.from_asgi("/openapi.json", api.app, config=config)


def test_the_api_keeps_its_spec(spec: BaseSchema, api: Api) -> None:
    operations = []
    for result in spec.get_all_operations():
        assert isinstance(result, Ok), f"the spec has an operation schemathesis cannot read: {result}"
        operations.append(result.ok())
    operations.sort(key=lambda o: bool(re.search(SELF_AFFECTING, o.path)))  # those last
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _fuzz(operation, mode, _headers(api, operation))
            if failure:
                failures.append(f"{operation.label} ({mode.value}): {failure}")
    assert len(operations) > 10, [o.label for o in operations]
    assert not failures, "\n\n".join(failures)


def _headers(api: Api, operation: Operation) -> Callable[[], dict[str, str]]:
    """The admin's headers; for an operation that may revoke or demote a token, a new token each time."""
    if not re.search(SELF_AFFECTING, operation.path):
        return lambda: api.auth(Role.ADMIN)

    def fresh() -> dict[str, str]:
        token = api.accounts.create_token(f"fuzz-{uuid.uuid4().hex[:12]}", Role.ADMIN, created_by="tests")
        return {"Authorization": f"Bearer {token}"}

    return fresh


def _examples(operation: Operation, mode: GenerationMode) -> int:
    """Fewer invalid examples for an operation whose only parameters are in its path: there is little
    to make invalid in a path string, and Hypothesis draws such strings slowly (a 253-character
    bound took about 4 s an example here); names of any characters are already sent in positive mode."""
    path_only = not operation.body and not operation.query and not operation.headers
    return PATH_ONLY_NEGATIVE_EXAMPLES if mode is GenerationMode.NEGATIVE and path_only else MAX_EXAMPLES


def _fuzz(operation: Operation, mode: GenerationMode, headers: Callable[[], dict[str, str]]) -> str | None:
    """What failed on ``operation`` in ``mode``: schemathesis's report, with the response and a curl
    command that reproduces it (the token filtered out); None when every example passed."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=_examples(operation, mode), deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case: Case[Operation]) -> None:
        case.call_and_validate(headers=headers(), checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # negative mode of an operation with nothing to make invalid (no parameters)
        return None
    except FailureGroup as exc:
        return exc.message.strip()
    return None
