"""Devices, credentials and the import over the API, on SQLite and PostgreSQL, with real tokens.

Checks that changes need the admin role, that a refused entry is a 422 naming the field with the
inventory file's words, that an imported body is judged exactly as ``netatlas devices import``
judges the same file (the CLI run as a subprocess), and that no response ever holds a secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from netatlas.domain.accounts import Role
from netatlas.domain.errors import InventoryError
from netatlas.inventory import load_inventory
from tests.integration.api.harness import Api, open_api
from tests.integration.discovery.helpers import cli

pytestmark = pytest.mark.integration

SECRET = "pw-Zq8#never-shown"
ENABLE = "en-Xy7#never-shown"
NEW_SECRET = "pw-Rotated#never-shown"
GOOD_YAML = f"""credentials:
  lab: {{username: netops, password: "{SECRET}", enable_secret: "{ENABLE}"}}
devices:
  - {{name: core1, host: 127.103.1.1, platform: cisco_ios, credentials: lab, site: hq, role: core, tags: [a, b]}}
  - {{name: edge1, host: 127.103.1.2, platform: arista_eos, credentials: lab, port: 2222}}
"""
BAD_YAML = f"""credentials:
  lab: {{username: netops, password: "{SECRET}"}}
devices:
  - {{name: sw 1, host: 10.0.0.300, platform: cisco_iso, credentials: lab}}
  - {{name: sw2, host: 127.103.1.3, platfrom: cisco_ios, credentials: lbb, port: 0}}
  - {{name: sw2, host: 127.103.1.3, platform: cisco_ios, credentials: lab}}
"""
MAX_BYTES = 4096
GOOD_CSV = "name,host,platform,credentials,site,tags\nacc1,127.103.2.1,cisco_ios,lab,branch,x;y\n"
BAD_CSV = "name,host,platfrom,credentials\nacc2,127.103.2.300,cisco_ios,lab\n"


@pytest.fixture(scope="module")
def api(db_url: str, home: Path) -> Iterator[Api]:
    with open_api(db_url, home, inventory_max_bytes=MAX_BYTES) as opened:
        yield opened


def _every_body(responses: list[Any]) -> str:
    return "\n".join(r.text for r in responses)


def _import(api: Api, body: str, media: str = "application/yaml", role: Role = Role.ADMIN) -> Any:
    return api.client.post("/api/devices/import", content=body.encode(),
                           headers={**api.auth(role), "Content-Type": media})


def _problems(response: Any) -> list[tuple[int | None, str, str]]:
    return [(p["line"], p["field"], p["message"]) for p in response.json()["problems"]]


def test_import_yaml_and_csv_then_list_and_get(api: Api) -> None:
    seen = [_import(api, GOOD_YAML)]
    assert seen[0].status_code == 200, seen[0].text
    assert seen[0].json() == {"devices": 2, "credentials": 1}
    seen.append(_import(api, GOOD_CSV, "text/csv; charset=utf-8"))  # references a stored credential set
    assert seen[-1].status_code == 200, seen[-1].text
    seen.append(api.get("/api/devices"))
    names = [d["name"] for d in seen[-1].json()["items"]]
    assert names == ["acc1", "core1", "edge1"]
    seen.append(api.get("/api/devices/core1"))
    core = seen[-1].json()
    assert (core["host"], core["platform"], core["credentials"], core["site"], core["role"], core["tags"],
            core["origin"]) == ("127.103.1.1", "cisco_ios", "lab", "hq", "core", ["a", "b"], "inventory")
    assert api.get("/api/devices/acc1").json()["tags"] == ["x", "y"]
    page = api.get("/api/devices", params={"offset": 1, "limit": 1}).json()
    assert ([d["name"] for d in page["items"]], page["more"]) == (["core1"], True)
    seen.append(api.get("/api/credentials", Role.ADMIN))
    assert [(c["name"], c["username"], c["devices"]) for c in seen[-1].json()] == [("lab", "netops", 3)]
    assert SECRET not in _every_body(seen) and ENABLE not in _every_body(seen)


@pytest.mark.parametrize(("body", "media", "suffix"), [(BAD_YAML, "text/yaml", "yaml"), (BAD_CSV, "text/csv", "csv")])
def test_bad_import_has_the_cli_problems(api: Api, home: Path, db_url: str, tmp_path: Path, body: str, media: str,
                                         suffix: str) -> None:
    response = _import(api, body, media)
    assert response.status_code == 422, response.text
    path = tmp_path / f"bad.{suffix}"
    path.write_text(body)
    with pytest.raises(InventoryError) as raised:
        load_inventory(path, known_credentials=["lab"])
    assert _problems(response) == [(p.line, p.field, p.message) for p in raised.value.problems]
    done = cli(["devices", "import", str(path)], home, database_url=db_url)
    assert done.returncode != 0
    printed = " ".join((done.stderr + done.stdout).split())  # the terminal may wrap long lines
    for _, field_, message in _problems(response):  # the CLI prints each problem with the same words
        assert " ".join(f"{field_}: {message}".split()) in printed
    assert SECRET not in response.text
    assert "sw2" not in [d["name"] for d in api.get("/api/devices").json()["items"]]  # nothing stored


def test_import_limits_and_media_types(api: Api) -> None:
    too_large = _import(api, "x" * (MAX_BYTES + 1))
    assert too_large.status_code == 413 and "NETATLAS_INVENTORY_MAX_BYTES" in too_large.json()["message"]
    not_inventory = _import(api, GOOD_CSV, "application/json")
    assert not_inventory.status_code == 415 and "text/csv" in not_inventory.json()["message"]
    assert _import(api, "devices: [\n").status_code == 422
    empty = _import(api, "", "text/csv")
    assert empty.status_code == 422 and _problems(empty)[0][1] == "file"
    assert _import(api, GOOD_YAML, role=Role.OPERATOR).status_code == 403
    assert api.client.post("/api/devices/import", content=GOOD_YAML).status_code == 401


def test_device_create_patch_delete(api: Api) -> None:
    body = {"name": "dist9", "host": "127.103.3.9", "platform": "cisco_nxos", "credentials": "lab", "tags": ["t"]}
    created = api.post("/api/devices", Role.ADMIN, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["platform"] == "cisco_nxos"
    assert api.post("/api/devices", Role.OPERATOR, json={**body, "name": "dist10"}).status_code == 403
    assert api.post("/api/devices", Role.ADMIN, json={**body, "name": "DIST9"}).status_code == 409
    taken = api.post("/api/devices", Role.ADMIN, json={**body, "name": "dist10"})
    assert taken.status_code == 409 and "127.103.3.9:22" in taken.json()["detail"]
    patched = api.patch("/api/devices/dist9", json={"site": "dc2", "port": 2200})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["site"], patched.json()["port"], patched.json()["tags"]) == ("dc2", 2200, ["t"])
    assert api.get("/api/devices/dist9").json()["site"] == "dc2"
    assert api.patch("/api/devices/nosuch", json={"site": "x"}).status_code == 404
    assert api.patch("/api/devices/dist9", json={"name": "x"}).status_code == 422
    assert api.delete("/api/devices/dist9", Role.OPERATOR).status_code == 403
    assert api.delete("/api/devices/dist9", Role.ADMIN).status_code == 204
    assert api.get("/api/devices/dist9").status_code == 404
    assert api.delete("/api/devices/dist9", Role.ADMIN).status_code == 404


def test_device_validation_names_the_fields(api: Api) -> None:
    bad = {"name": "sw 1", "host": "10.0.0.300", "platform": "cisco_iso", "credentials": "lbb", "port": 0,
           "site": "a\x1bb"}
    response = api.post("/api/devices", Role.ADMIN, json=bad)
    assert response.status_code == 422, response.text
    problems = {field_: message for _, field_, message in _problems(response)}
    assert set(problems) == {"name", "host", "platform", "credentials", "port", "site"}
    assert problems["platform"].startswith("unknown platform 'cisco_iso' (did you mean 'cisco_ios'?)")
    assert problems["credentials"].startswith("undefined credential set 'lbb' (did you mean 'lab'?)")
    assert problems["port"] == "must be between 1 and 65535, got 0"
    missing = api.post("/api/devices", Role.ADMIN, json={"name": "x1"})
    assert missing.status_code == 422 and "host" in missing.json()["message"]
    unknown = api.post("/api/devices", Role.ADMIN, json={**bad, "platfrom": "x"})
    assert unknown.status_code == 422 and "platfrom" in unknown.json()["message"]
    patch = api.patch("/api/devices/core1", json={"platform": "nope"})
    assert patch.status_code == 422 and _problems(patch)[0][1] == "platform"


def test_credentials_are_write_only(api: Api) -> None:
    seen = [api.client.put("/api/credentials/ops", headers=api.auth(Role.ADMIN),
                           json={"username": "ops", "password": SECRET, "enable_secret": ENABLE})]
    assert seen[0].status_code == 201, seen[0].text
    seen.append(api.client.put("/api/credentials/ops", headers=api.auth(Role.ADMIN),
                               json={"username": "ops2", "password": NEW_SECRET}))
    assert seen[-1].status_code == 200 and seen[-1].json() == {"name": "ops", "created": False}
    assert api.client.put("/api/credentials/ops", headers=api.auth(Role.OPERATOR),
                          json={"username": "x", "password": "y"}).status_code == 403
    seen.append(api.client.put("/api/credentials/bad", headers=api.auth(Role.ADMIN),
                               json={"username": "", "password": SECRET + "\x07"}))
    assert seen[-1].status_code == 422
    assert {p[1] for p in _problems(seen[-1])} == {"username", "password"}
    seen.append(api.get("/api/credentials", Role.ADMIN))
    assert {c["name"]: c["username"] for c in seen[-1].json()}["ops"] == "ops2"
    assert api.get("/api/credentials", Role.OPERATOR).status_code == 403
    with api.ctx.db.session(readonly=True) as session:  # what is stored opens to the new secret
        from netatlas.store import CredentialRepo

        stored = CredentialRepo(session).get("ops")
    assert api.ctx.box.unseal(stored.name, stored.username, stored.ciphertext).password == NEW_SECRET
    seen.append(api.post("/api/devices", Role.ADMIN, json={"name": "ops-sw", "host": "127.103.4.1",
                                                            "platform": "cisco_ios", "credentials": "ops"}))
    seen.append(api.delete("/api/credentials/ops", Role.ADMIN))
    assert seen[-1].status_code == 409 and "ops-sw" in seen[-1].json()["detail"]
    assert api.delete("/api/devices/ops-sw", Role.ADMIN).status_code == 204
    assert api.delete("/api/credentials/ops", Role.ADMIN).status_code == 204
    assert api.delete("/api/credentials/ops", Role.ADMIN).status_code == 404
    for secret in (SECRET, ENABLE, NEW_SECRET):
        assert secret not in _every_body(seen)


def test_device_data_kinds(api: Api) -> None:
    empty = api.get("/api/devices/core1/data/cdp")
    assert empty.status_code == 200, empty.text
    assert (empty.json()["records"], empty.json()["coverage"]) == ([], {})
    unknown = api.get("/api/devices/core1/data/bogus")
    assert unknown.status_code == 404 and "choose from" in unknown.json()["detail"]
    assert api.get("/api/devices/nosuch/data/cdp").status_code == 404
    assert api.get("/api/devices/core1/data/cdp", params={"limit": 0}).status_code == 422


def test_inventory_docs_example_body_is_valid(api: Api) -> None:
    """The YAML example the OpenAPI spec shows for the import is itself a valid inventory."""
    spec = api.client.get("/openapi.json").json()
    content = spec["paths"]["/api/devices/import"]["post"]["requestBody"]["content"]
    assert {"application/yaml", "text/yaml", "text/csv"} <= set(content)
    assert yaml.safe_load(content["application/yaml"]["example"])["devices"][0]["name"] == "sw1"


@pytest.mark.parametrize(("method", "path", "parameter"), [
    ("GET", "/api/devices/a%00b", "path.name"), ("GET", "/api/devices/a%00b/data/cdp", "path.name"),
    ("PATCH", "/api/devices/a%00b", "path.name"), ("DELETE", "/api/devices/a%00b", "path.name"),
    ("PUT", "/api/credentials/a%1bb", "path.name"), ("DELETE", "/api/credentials/a%00b", "path.name"),
    ("GET", "/api/jobs/a%00b", "path.job_id"), ("GET", "/api/topology?node=a%00b", "query.node"),
    ("GET", "/api/topology/diff?from_job=a%00b", "query.from_job")])
def test_control_characters_are_refused_before_the_database(api: Api, method: str, path: str, parameter: str) -> None:
    """PostgreSQL refuses NUL in text: such a name is a 422 naming the parameter, never a database error."""
    body = {"username": "u", "password": "p"} if method == "PUT" else {"site": "x"} if method == "PATCH" else None
    response = api.client.request(method, path, headers=api.auth(Role.ADMIN), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith(f"{parameter}: ")
