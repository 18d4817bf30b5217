"""The web UI in a real browser: Debian's Chromium (headless, driven by Playwright through its
executable path) against ``netatlas serve`` as a subprocess over a campus lab on real SSH.

One server, lab and browser for the module; the tests run in file order and build on each other as
an operator would: log in, discover, read the map (exactly the API's counts), search, open a device,
trace a path, discover again after a host moved and see the change, cancel a running job, then a
viewer is refused a discovery with the API's 403 message, the session expires back to the login form
and logout works. Every request the page makes goes to the server's own origin (no CDN), and the
page logs no error besides the refusals the tests provoke. Screenshots go to ``ARTIFACTS`` (printed).

Chromium missing fails the module (never skips): run ``make install``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from netatlas.lab.background import BackgroundLab
from netatlas.lab.model import MacEntry
from netatlas.lab.runtime import Lab
from tests.integration.api.test_serve import free_loopback_port, wait_up
from tests.integration.discovery.helpers import CLI, FAST_FAILURE, cli, cli_env, make_lab, write_inventory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

CHROMIUM = os.environ.get("NETATLAS_CHROMIUM", "/usr/bin/chromium")
NETWORK = IPv4Network("127.120.0.0/16")
DEVICES = 8
SETTINGS = {**FAST_FAILURE, "retries": 10}
ARTIFACTS = Path(os.environ.get("NETATLAS_E2E_ARTIFACTS", Path(__file__).parent / "artifacts"))
PASSWORDS = {"olga": "operator-password-1", "vera": "viewer-password-1"}
WAIT_MS = 90_000
FINAL = ("completed", "cancelled", "failed", "interrupted")


@dataclass
class Web:
    base: str
    lab: Lab
    page: Any  # playwright.sync_api.Page
    token: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)

    def api(self, path: str, **params: Any) -> Any:
        answer = httpx.get(f"{self.base}{path}", params=params, headers={"Authorization": f"Bearer {self.token}"},
                           timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def login(self, user: str) -> None:
        self.page.fill("#login-username", user)
        self.page.fill("#login-password", PASSWORDS[user])
        self.page.click("#login-submit")
        self.page.wait_for_selector("#app-view:not([hidden])")
        self.page.wait_for_function("() => document.querySelector('#map-counts').dataset.devices !== undefined")

    def start_discovery(self, names: list[str]) -> str:
        self.page.click("#tab-jobs")
        self.page.select_option("#job-devices", names)
        with self.page.expect_response(lambda r: r.url.endswith("/discover-async")) as answer:
            self.page.click("#job-start")
        body: dict[str, Any] = answer.value.json()
        assert answer.value.status == 202, body
        self.jobs.append(body["job_id"])
        return str(body["job_id"])

    def wait_status(self, *statuses: str) -> str:
        """Until the console shows the last job started in one of ``statuses``; that status."""
        wanted = {"job": self.jobs[-1], "statuses": list(statuses)}
        self.page.wait_for_function(
            """w => { const e = document.querySelector('#job-status');
                      return e && e.dataset.job === w.job && w.statuses.includes(e.dataset.status); }""",
            arg=wanted, timeout=WAIT_MS)
        return str(self.page.get_attribute("#job-status", "data-status"))


def _sync_playwright() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (it installs Debian's chromium and chromium-driver)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def move_host(lab: Lab) -> tuple[str, str, str, str]:
    """Move one host to another edge port of its switch, in the running lab: (mac, switch, old, new)."""
    truth = lab.truth()
    cabled = {(end["node"], end["interface"]) for link in truth["links"] for end in (link["a"], link["b"])}
    ports: dict[str, list[dict[str, Any]]] = {}
    for endpoint in truth["endpoints"]:
        if (endpoint["node"], endpoint["interface"]) not in cabled and endpoint["node"] not in lab.faults:
            ports.setdefault(endpoint["node"], []).append(endpoint)
    switch, hosts = next((s, h) for s, h in sorted(ports.items()) if len({e["interface"] for e in h}) > 1)
    host = hosts[0]
    target = next(e["interface"] for e in hosts if e["interface"] != host["interface"])
    state = next(d.state for d in lab.devices if d.state.hostname == switch)
    entry = next(m for m in state.mac_table if m.mac == host["mac"])
    state.mac_table[state.mac_table.index(entry)] = MacEntry(entry.vlan, entry.mac, target, entry.dynamic)
    return host["mac"], switch, host["interface"], target


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    playwright_cm = _sync_playwright()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    print(f"\nscreenshots: {ARTIFACTS}")
    lab = make_lab("campus", DEVICES, NETWORK, faults="slow:1")
    home = tmp_path_factory.mktemp("e2e-home")
    db_url = f"sqlite:///{home / 'netatlas.db'}"
    inventory = write_inventory(lab.inventory(), home / "lab.yaml")
    for command in (["db", "upgrade", "--db", db_url], ["devices", "import", str(inventory), "--db", db_url]):
        done = cli(command, home, **SETTINGS)
        assert done.returncode == 0, done.stderr
    for user, role in (("olga", "operator"), ("vera", "viewer")):
        done = subprocess.run([*CLI, "user", "create", user, "--role", role, "--password-stdin", "--db", db_url],
                              input=PASSWORDS[user] + "\n", env=cli_env(home, **SETTINGS), capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    token = cli(["token", "create", "--name", "e2e", "--role", "viewer", "--db", db_url], home, **SETTINGS)
    assert token.returncode == 0, token.stderr
    port = free_loopback_port()
    base = f"http://127.0.0.1:{port}"
    log = home / "serve.log"
    with BackgroundLab(lab), log.open("wb") as out, playwright_cm as playwright:
        process = subprocess.Popen([*CLI, "serve", "--port", str(port), "--db", db_url],
                                   env=cli_env(home, **SETTINGS), stdout=out, stderr=subprocess.STDOUT)
        browser = None
        try:
            wait_up(base, process, log)
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1500, "height": 950})
            web = Web(base, lab, page, token.stdout.strip())
            page.on("request", lambda r: web.requests.append(r.url))
            page.on("console", lambda m: web.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: web.console_errors.append(f"page error: {e}"))
            page.set_default_timeout(30_000)
            page.goto(base + "/")
            yield web
        finally:
            if browser is not None:
                print("console errors:", web.console_errors if "web" in locals() else "(no page)")
                browser.close()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def healthy(web: Web) -> list[str]:
    return sorted(d.state.hostname for d in web.lab.devices if d.state.hostname not in web.lab.faults)


def test_login_then_a_discovery_runs_to_its_end_with_live_progress(web: Web) -> None:
    page = web.page
    page.wait_for_selector("#login-view:not([hidden])")
    page.fill("#login-username", "olga")
    page.fill("#login-password", "wrong-password")
    page.click("#login-submit")
    page.wait_for_function("() => document.querySelector('#login-note').textContent.startsWith('401')")
    web.login("olga")
    assert page.text_content("#who") == "olga (operator)"
    job = web.start_discovery(healthy(web))
    page.wait_for_selector("#job-live table")
    assert web.wait_status(*FINAL) == "completed"
    web.shot("01-discovery-completed")
    progress = web.api(f"/api/topology/discover/progress/{job}")
    assert (progress["status"], progress["completed_devices"]) == ("completed", len(healthy(web)))
    rows = page.locator("#job-live table >> nth=0 >> tbody tr")
    assert rows.count() == len(healthy(web))
    assert page.locator("#job-history tbody tr").count() == 1


def test_the_map_shows_exactly_the_topology_the_api_counts(web: Web) -> None:
    page = web.page
    summary = web.api("/api/topology/summary")
    expected = {"devices": summary["devices"]["total"], "unmanaged": summary["unmanaged"],
                "endpoints": summary["endpoints"], "l2": summary["links"]["l2"], "l3": summary["links"]["l3"]}
    page.wait_for_function("d => Number(document.querySelector('#map-counts').dataset.devices) === d",
                           arg=expected["devices"], timeout=WAIT_MS)
    assert expected["devices"] == DEVICES and expected["l2"] > 0 and expected["l3"] > 0 and expected["endpoints"] > 0
    assert page.get_attribute("#map-counts", "data-endpoints") == str(expected["endpoints"])  # none fetched yet
    page.check("#layer-endpoints")
    page.wait_for_function("n => window.netatlas.map.cy.nodes('.endpoint').length === n", arg=expected["endpoints"])
    drawn = web.js("""() => { const cy = window.netatlas.map.cy; return {
        devices: cy.nodes('.device').length, unmanaged: cy.nodes('.unmanaged').length,
        endpoints: cy.nodes('.endpoint').length, l2: cy.edges('.l2').length, l3: cy.edges('.l3').length,
        hidden: cy.elements('.off').length, groups: cy.nodes('.group').length}; }""")
    assert drawn == {**expected, "hidden": 0, "groups": 0}
    counts = page.get_attribute("#map-counts", "data-l2"), page.get_attribute("#map-counts", "data-l3")
    assert counts == (str(expected["l2"]), str(expected["l3"]))
    web.shot("02-map-with-endpoints")
    page.uncheck("#layer-l3")
    assert web.js("() => window.netatlas.map.cy.edges('.l3.off').length") == expected["l3"]
    page.check("#layer-l3")
    page.uncheck("#layer-endpoints")
    assert web.js("() => window.netatlas.map.cy.nodes('.endpoint').length") == 0


def test_endpoints_are_fetched_when_their_layer_is_on(web: Web) -> None:
    """The map's document lists no endpoint (a count per switch); the layer fetches them for the open
    groups' switches, exactly those the API lists."""
    page = web.page
    everything = web.api("/api/topology")
    web.requests.clear()
    page.reload()
    page.wait_for_function("() => document.querySelector('#map-counts').dataset.devices !== undefined")
    topology = [url for url in web.requests if "/api/topology?" in url or url.endswith("/api/topology")]
    assert topology == [f"{web.base}/api/topology?endpoints=count"], topology
    doc = web.js("() => window.netatlas.doc")
    assert doc["endpoints"] == [] and doc["counts"] == everything["counts"]
    per_switch: dict[str, int] = {}
    for endpoint in everything["endpoints"]:
        per_switch[endpoint["node"]] = per_switch.get(endpoint["node"], 0) + 1
    assert doc["endpoint_counts"] == per_switch
    assert not page.is_checked("#layer-endpoints")
    assert web.js("() => window.netatlas.map.cy.nodes('.endpoint').length") == 0
    assert not [url for url in web.requests if "/api/topology/attached" in url]
    with page.expect_response(lambda r: "/api/topology/attached?" in r.url) as answer:
        page.check("#layer-endpoints")
    assert answer.value.status == 200
    asked = sorted(parse_qs(urlsplit(answer.value.url).query)["node"])
    assert asked == sorted(per_switch)  # every switch with endpoints: all groups are open on a small map
    page.wait_for_function("n => window.netatlas.map.cy.nodes('.endpoint').length === n",
                           arg=len(everything["endpoints"]))
    drawn = web.js("""() => window.netatlas.map.cy.nodes('.endpoint').map(n => { const e = n.data('endpoint');
        return [e.mac, e.node, e.interface, e.ip, e.vlan]; })""")
    assert sorted(map(tuple, drawn)) == sorted((e["mac"], e["node"], e["interface"], e["ip"], e["vlan"])
                                               for e in everything["endpoints"])
    fetched = [url for url in web.requests if "/api/topology/attached" in url]
    page.uncheck("#layer-endpoints")
    assert web.js("() => window.netatlas.map.cy.nodes('.endpoint').length") == 0
    page.check("#layer-endpoints")  # drawn again from what the page holds: not fetched twice
    page.wait_for_function("n => window.netatlas.map.cy.nodes('.endpoint').length === n",
                           arg=len(everything["endpoints"]))
    page.wait_for_timeout(300)
    assert [url for url in web.requests if "/api/topology/attached" in url] == fetched
    page.uncheck("#layer-endpoints")


def _position(page: Any, node: str) -> dict[str, float]:
    found: dict[str, float] = page.evaluate("id => window.netatlas.map.cy.getElementById(id).position()", node)
    return found


def _drag(page: Any, node: str, dx: float, dy: float) -> None:
    """A real mouse drag of ``node`` on the map's canvas."""
    box = page.locator("#cy").bounding_box()
    at = page.evaluate("id => window.netatlas.map.cy.getElementById(id).renderedPosition()", node)
    x, y = box["x"] + at["x"], box["y"] + at["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=10)
    page.mouse.up()


def _near(a: dict[str, float], b: dict[str, float]) -> bool:
    return abs(a["x"] - b["x"]) < 0.01 and abs(a["y"] - b["y"]) < 0.01


def test_dragged_positions_are_kept_on_the_server_for_every_browser(web: Web) -> None:
    page, name = web.page, healthy(web)[0]
    assert web.api("/api/topology/layout")["positions"] == {}
    computed = _position(page, name)
    with page.expect_response(lambda r: r.url.endswith("/api/topology/layout") and r.request.method == "PUT") as put:
        _drag(page, name, 80, 50)
    assert put.value.status == 200, put.value.text()
    moved = _position(page, name)
    assert moved["x"] > computed["x"] + 10 and moved["y"] > computed["y"] + 10
    layout = web.api("/api/topology/layout")
    assert set(layout["positions"]) == {name} and _near(layout["positions"][name], moved)
    assert layout["updated_by"] == "olga"
    page.reload()  # the same browser: restored from the server (nothing in localStorage)
    page.wait_for_function("() => document.querySelector('#map-counts').dataset.devices !== undefined")
    assert _near(_position(page, name), moved)
    assert web.js("() => Object.keys(localStorage)") == []
    web.shot("03-dragged-position")
    other = page.context.browser.new_context(viewport={"width": 1500, "height": 950})
    try:  # another browser (no shared storage), another user: the viewer sees the operator's layout
        viewer = other.new_page()
        viewer.goto(web.base + "/")
        viewer.fill("#login-username", "vera")
        viewer.fill("#login-password", PASSWORDS["vera"])
        viewer.click("#login-submit")
        viewer.wait_for_function("() => document.querySelector('#map-counts').dataset.devices !== undefined")
        assert _near(_position(viewer, name), moved)
        puts: list[str] = []
        viewer.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
        _drag(viewer, name, -60, 30)  # a viewer's drag moves the node here only: never sent
        viewer.wait_for_timeout(800)
        assert puts == [] and not _near(_position(viewer, name), moved)
        assert web.api("/api/topology/layout") == layout
    finally:
        other.close()
    page.click("#map-reset")  # the operator forgets the layout: the computed positions again
    page.wait_for_function("() => document.querySelector('#message')?.textContent.startsWith('Layout reset')")
    assert web.api("/api/topology/layout")["positions"] == {}
    assert _near(_position(page, name), computed)


def test_search_focuses_a_device_and_opens_its_panel(web: Web) -> None:
    page = web.page
    name = healthy(web)[-1]
    before = web.js("() => window.netatlas.map.cy.zoom()")
    page.fill("#search-input", name.upper())
    page.press("#search-input", "Enter")
    page.wait_for_selector("#device-title")
    assert page.text_content("#device-title") == f"Device {name}"
    assert web.js(f"() => window.netatlas.map.cy.getElementById({name!r}).hasClass('hl')")
    page.wait_for_timeout(400)  # the fit animation
    assert web.js("() => window.netatlas.map.cy.zoom()") != before
    # the device panel: facts, its links, its data tables (first page), the last discovery
    page.wait_for_selector("#device-data table tbody tr")
    assert page.locator("#device-data table tbody tr").count() >= 1
    page.click("#panel-details button[data-kind=interfaces]")
    page.wait_for_function("() => document.querySelector('#device-data caption')?.textContent.startsWith('interfaces')")
    interfaces = web.api(f"/api/devices/{name}/data/interfaces", limit=50)
    assert page.locator("#device-data tbody tr").count() == len(interfaces["records"]) > 0
    page.wait_for_selector("#device-last-run")
    assert page.text_content("#device-last-run").startswith("Last discovery: completed")
    web.shot("03-search-device-panel")
    # an endpoint by MAC: its switch and access port
    endpoint = web.api("/api/topology")["endpoints"][0]
    page.fill("#search-input", endpoint["mac"].upper())
    page.press("#search-input", "Enter")
    page.wait_for_function("() => document.querySelector('#panel-details h2')?.textContent.startsWith('Host')")
    row = page.locator("#panel-details tbody tr").first.text_content() or ""
    assert endpoint["node"] in row and endpoint["interface"] in row
    assert web.js(f"() => window.netatlas.map.cy.getElementById({'ep:' + endpoint['mac']!r}).hasClass('hl')")
    if endpoint["ip"]:  # the L2 path from its switch to its gateways (where a trace to it starts)
        trace = web.api("/api/topology/path", src=endpoint["ip"], dst=endpoint["ip"])
        gateways = sorted({hop["device"] for hop in trace["hops"] if hop["parent"] is None})
        page.wait_for_selector("#search-gateways")
        assert gateways and (page.text_content("#search-gateways") or "").endswith(", ".join(gateways))
        drawn = set(web.js("() => window.netatlas.map.cy.nodes('.path').map(n => n.id())"))
        assert {endpoint["node"], *gateways} <= drawn


def test_a_path_trace_is_drawn_hop_by_hop(web: Web) -> None:
    page = web.page
    hosts = [e for e in web.api("/api/topology")["endpoints"] if e["ip"]]
    subnet = {e["mac"]: e["ip"].rsplit(".", 1)[0] for e in hosts}
    pair = next((a, b) for a in hosts for b in hosts if a["node"] != b["node"] and subnet[a["mac"]] != subnet[b["mac"]])
    expected = web.api("/api/topology/path", src=pair[0]["ip"], dst=pair[1]["ip"])
    assert expected["hops"], expected
    page.click("#tab-path")
    page.fill("#path-src", pair[0]["ip"])
    page.fill("#path-dst", pair[1]["ip"])
    page.click("#path-go")
    page.wait_for_selector("#path-summary")
    summary = page.text_content("#path-summary") or ""
    assert summary.startswith(f"{pair[0]['ip']} → {pair[1]['ip']}")
    assert ("complete" if expected["complete"] else "incomplete") in summary
    assert page.locator("#path-result .branch").count() == len(expected["branches"])
    assert page.locator("#path-result tbody tr").count() == sum(len(b["hops"]) for b in expected["branches"])
    marked = set(web.js("() => window.netatlas.map.cy.nodes('.path').map(n => n.id())"))
    assert marked == {hop["device"] for hop in expected["hops"]}
    web.shot("04-path")


def test_the_changes_view_shows_a_moved_host(web: Web) -> None:
    page = web.page
    mac, switch, old, new = move_host(web.lab)
    page.click("#map-clear")
    web.start_discovery(healthy(web))
    assert web.wait_status(*FINAL) == "completed"
    page.click("#tab-changes")
    page.wait_for_function("n => document.querySelectorAll('#changes-from option').length >= n", arg=2)
    assert page.input_value("#changes-from") == web.jobs[0] and page.input_value("#changes-to") == web.jobs[1]
    page.click("#changes-go")
    page.wait_for_selector("#changes-summary")
    moved = page.locator("#changes-result table:has(caption:text('Moved endpoints')) tbody tr")
    assert moved.count() == 1
    text = moved.first.text_content() or ""
    assert mac in text and old in text and new in text
    assert web.js(f"() => window.netatlas.map.cy.getElementById({switch!r}).hasClass('chg-moved')")
    web.shot("05-changes")
    # A reload rebuilds every element (a job's end reloads the map, maybe after the diff's answer):
    # the changes view marks the new elements again; clearing the marks ends that.
    drawn = web.js("() => performance.getEntriesByName('netatlas:map-drawn').length")
    page.click("#map-refresh")
    page.wait_for_function("n => performance.getEntriesByName('netatlas:map-drawn').length > n", arg=drawn)
    assert web.js(f"() => window.netatlas.map.cy.getElementById({switch!r}).hasClass('chg-moved')")
    page.click("#map-clear")
    page.click("#map-refresh")
    page.wait_for_function("n => performance.getEntriesByName('netatlas:map-drawn').length > n + 1", arg=drawn)
    assert not web.js("() => window.netatlas.map.cy.elements('.chg-moved').nonempty()")


def test_a_running_job_is_cancelled(web: Web) -> None:
    page = web.page
    slow = sorted(web.lab.faults)
    job = web.start_discovery(slow)
    web.wait_status("running")
    page.click("#job-cancel")
    assert web.wait_status("cancelled", *FINAL) == "cancelled"
    assert web.api(f"/api/topology/discover/progress/{job}")["status"] == "cancelled"
    web.shot("06-cancelled")


def test_a_viewer_is_refused_a_discovery_with_the_apis_message(web: Web) -> None:
    page = web.page
    page.click("#logout")
    page.wait_for_selector("#login-view:not([hidden])")
    assert page.text_content("#login-note") == "You are logged out."
    assert web.js("() => sessionStorage.getItem('netatlas.session')") is None
    web.login("vera")
    page.click("#tab-jobs")
    page.select_option("#job-devices", healthy(web)[:1])
    with page.expect_response(lambda r: r.url.endswith("/discover-async")) as answer:
        page.click("#job-start")
    assert answer.value.status == 403
    refusal = answer.value.json()
    message = refusal.get("message") or refusal["detail"]  # HTTPException answers carry `detail` only
    page.wait_for_selector("#message:not([hidden])")
    assert page.text_content("#message") == f"403: {message}"
    assert "operator" in message
    web.shot("07-viewer-refused")


def test_an_expired_session_returns_to_the_login_form(web: Web) -> None:
    page = web.page
    page.evaluate("""() => { const s = JSON.parse(sessionStorage.getItem('netatlas.session'));
                      s.expiresAt = Date.now() - 1; sessionStorage.setItem('netatlas.session', JSON.stringify(s)); }""")
    page.click("#map-refresh")
    page.wait_for_selector("#login-view:not([hidden])")
    assert page.text_content("#login-note") == "Your session expired: log in again."
    page.reload()
    page.wait_for_selector("#login-view:not([hidden])")


def test_the_page_stays_on_its_own_origin_and_logs_no_error(web: Web) -> None:
    origin = urlsplit(web.base)
    foreign = [url for url in web.requests if not url.startswith(("data:", "blob:"))
               and (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)]
    assert not foreign, foreign
    assert any(url.endswith("/ui/vendor/cytoscape.esm.min.js") for url in web.requests)
    provoked = [e for e in web.console_errors if "status of 401" in e or "status of 403" in e]
    assert len(provoked) == 2, web.console_errors  # the wrong password, the viewer's discovery
    assert [e for e in web.console_errors if e not in provoked] == []


def test_keyboard_reaches_the_controls_with_a_visible_focus(web: Web) -> None:
    page = web.page
    page.focus("#login-username")
    page.keyboard.press("Tab")
    assert web.js("() => document.activeElement.id") == "login-password"
    outline = web.js("() => getComputedStyle(document.activeElement, ':focus-visible').outlineStyle")
    assert outline != "none"
    web.login("vera")
    page.focus("#cy")
    zoom = web.js("() => window.netatlas.map.cy.zoom()")
    page.keyboard.press("+")
    assert web.js("() => window.netatlas.map.cy.zoom()") > zoom
    pan = web.js("() => window.netatlas.map.cy.pan().x")
    page.keyboard.press("ArrowLeft")
    assert web.js("() => window.netatlas.map.cy.pan().x") > pan
    unlabeled = web.js("""() => [...document.querySelectorAll('input, select')].filter(e => e.type !== 'hidden'
        && !e.labels?.length && !e.closest('label') && !e.getAttribute('aria-label')).map(e => e.id)""")
    assert unlabeled == []


# A 1,200-device document (3,800 elements: the map's cheap drawing settings) built in the page.
LARGE_DOC_JS = """() => {
  const nodes = [];
  const links = [];
  for (let i = 0; i < 1200; i++) {
    const role = i % 40 ? 'access' : 'core';
    nodes.push({ id: `sw${i}`, kind: 'device', site: `site${i % 4}`, role, status: 'completed' });
    if (i % 40) {
      for (const up of [i - (i % 40), i - 1]) {
        links.push({ layer: 'l2', state: 'ok', protocols: [], a: { node: `sw${i}`, interface: `Gi0/${up}` },
                     b: { node: `sw${up}`, interface: `Gi1/${i}` } });
      }
    }
  }
  window.netatlas.map.load({ nodes, links, problems: [], counts: { endpoints: 0 }, endpoint_counts: {} });
  window.netatlas.map.expandAll();
}"""
# The renderer's state cytoscape draws from: its wheel-gesture flag and the cached image of the nodes
# it draws instead of every element while that flag is set (textureOnViewport).
IDLE_JS = "() => window.netatlas.map.cy.renderer().data.wheelZooming !== true"
CHEAP_JS = """async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const r = window.netatlas.map.cy.renderer();
  return { moving: r.data.wheelZooming === true, cached: r.textureCache !== null && r.textureCache !== undefined };
}"""


def test_keyboard_pans_of_a_large_map_draw_the_cheap_frame_then_the_full_map(web: Web) -> None:
    page = web.page
    errors = len(web.console_errors)
    web.js(LARGE_DOC_JS)
    assert web.js("() => [window.netatlas.map.large, window.netatlas.map.cy.edges().length]") == [True, 2340]
    assert web.js(CHEAP_JS) == {"moving": False, "cached": False}  # expanding drew the map in full
    web.js("() => { window.netatlas.map.motionIdleMs = 2000; }")  # observable on a loaded machine (150 ms)
    page.focus("#cy")
    pan = web.js("() => window.netatlas.map.cy.pan().x")
    page.keyboard.press("ArrowLeft")
    assert web.js("() => window.netatlas.map.cy.pan().x") > pan
    assert web.js(CHEAP_JS) == {"moving": True, "cached": True}
    page.wait_for_function(IDLE_JS, timeout=15_000)
    assert web.js(CHEAP_JS) == {"moving": False, "cached": False}  # idle: every element drawn again
    zoom = web.js("() => window.netatlas.map.cy.zoom()")
    page.keyboard.press("+")
    assert web.js("() => window.netatlas.map.cy.zoom()") > zoom
    assert web.js(CHEAP_JS) == {"moving": True, "cached": True}
    web.js("() => window.netatlas.map.cheapMotion = false")  # the comparison bench/map.py makes
    page.wait_for_function(IDLE_JS, timeout=15_000)
    page.keyboard.press("ArrowRight")
    assert web.js(CHEAP_JS) == {"moving": False, "cached": False}
    web.js("() => window.netatlas.map.cheapMotion = true")
    # The map's fit animation moves the same way; a search or a path uses it.
    web.js("() => window.netatlas.map.fitTo(window.netatlas.map.cy.nodes('.r0'))")
    assert web.js(CHEAP_JS)["moving"] is True
    page.wait_for_function("() => !window.netatlas.map.cy.animated()")
    page.wait_for_function(IDLE_JS, timeout=15_000)
    assert web.js(CHEAP_JS) == {"moving": False, "cached": False}
    page.click("#map-refresh")  # the lab's own topology again
    page.wait_for_function("() => !window.netatlas.map.large")
    assert web.console_errors[errors:] == []
