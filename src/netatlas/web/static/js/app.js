// netatlas web UI: login, the map, search, panels, the jobs console, path/changes/risks/export views.
// Everything goes through the public API with the user's token (api.js); device text is only ever
// rendered as text (dom.js, cytoscape labels).
import { api, ApiError, login, logout, onExpired, query, session, stream } from './api.js';
import { $, cell, clear, download, h, table } from './dom.js';
import { MapView } from './map.js';

const DATA_TYPES = [
  ['include_interfaces', 'Interfaces'], ['include_cdp_neighbors', 'CDP neighbors'], ['include_lldp_neighbors', 'LLDP neighbors'],
  ['include_static_routes', 'Static routes'], ['include_ospf_routes', 'OSPF routes'], ['include_bgp_routes', 'BGP routes'],
  ['include_routing_neighbors', 'Routing neighbors'], ['include_mac_table', 'MAC table'], ['include_arp', 'ARP table'],
];
const DEVICE_KINDS = ['interfaces', 'cdp', 'lldp', 'routes', 'ospf', 'bgp', 'mac', 'arp']; // GET /api/devices/{name}/data/{kind}
const FINAL = new Set(['completed', 'cancelled', 'failed', 'interrupted']);
const BRANCH_COLORS = ['#d69e2e', '#805ad5', '#dd6b20', '#319795', '#d53f8c', '#3182ce'];
const PAGE = 50;

const state = { map: null, doc: null, jobs: [], live: null, devices: [] };
window.netatlas = state; // for the browser tests and the benchmark: the map and the document

// ---- messages -----------------------------------------------------------------------------------
let messageTimer = null;
function show(text, kind = 'error') {
  const box = $('#message');
  box.textContent = text;
  box.className = kind;
  box.hidden = false;
  if (messageTimer) clearTimeout(messageTimer);
  messageTimer = setTimeout(() => { box.hidden = true; }, kind === 'error' ? 15000 : 5000);
}
function failed(error) {
  if (error instanceof ApiError && error.status === 401) return; // back at the login form, with its note
  if (error && error.name === 'AbortError') return;
  show(error instanceof ApiError ? error.message : `Error: ${error && error.message ? error.message : error}`);
}
// Run an async action; its refusal becomes the message.
function guarded(action) {
  return async (...args) => { try { return await action(...args); } catch (e) { failed(e); return undefined; } };
}

// ---- login ------------------------------------------------------------------------------------
function toLogin(note = '') {
  if (state.live) state.live.abort();
  $('#app-view').hidden = true;
  $('#login-view').hidden = false;
  $('#login-note').textContent = note;
  $('#login-password').value = '';
  $('#login-username').focus();
}

async function toApp() {
  const s = session.get();
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  $('#who').textContent = `${s.username} (${s.role})`;
  if (state.map) state.map.cy.destroy();
  // A new map per login: positions are saved for the roles the API lets store them (operator, admin).
  state.map = new MapView($('#cy'), { onNode: (n, e) => showNode(n, e), onLink: (l) => showLink(l),
    fetchEndpoints: async (switches) => (await api(`/api/topology/attached${switches ? `?${switches.map((n) => `node=${encodeURIComponent(n)}`).join('&')}` : ''}`)).endpoints,
    savePositions: s.role === 'viewer' ? null : (positions, replace) => api('/api/topology/layout', { method: 'PUT', body: { positions, replace } }),
    onError: failed });
  for (const input of document.querySelectorAll('#layers input[data-layer]')) {
    if (!input.dataset.layer.startsWith('proto:')) input.checked = state.map.layers[input.dataset.layer];
  }
  await Promise.all([loadMap(), loadJobs(), loadDevices()]);
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('#login-note').textContent = '';
  try {
    await login($('#login-username').value.trim(), $('#login-password').value);
    $('#login-password').value = '';
    await toApp();
  } catch (e) {
    $('#login-note').textContent = e instanceof ApiError ? e.message : String(e);
  }
});
$('#logout').addEventListener('click', () => { logout(); toLogin('You are logged out.'); });
onExpired((message) => toLogin(message));

// ---- tabs -------------------------------------------------------------------------------------
const tabs = [...document.querySelectorAll('[role=tab]')];
function selectTab(id) {
  for (const tab of tabs) {
    const on = tab.id === id;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    document.getElementById(tab.getAttribute('aria-controls')).hidden = !on;
  }
}
tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => selectTab(tab.id));
  tab.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    selectTab(next.id);
    next.focus();
  });
});
selectTab('tab-details');

// ---- the map ----------------------------------------------------------------------------------
// The map's first document carries no endpoint (a count per switch: the map fetches them when its
// endpoints layer is on); the stored layout comes with it.
async function loadMap() {
  const [doc, layout] = await Promise.all([api('/api/topology?endpoints=count'), api('/api/topology/layout')]);
  performance.mark('netatlas:topology-received');
  state.doc = doc;
  state.map.load(doc, Object.fromEntries(Object.entries(layout.positions).map(([id, p]) => [id, { x: p.x, y: p.y }])));
  buildProtocolToggles();
  showCounts();
  // Two animation frames: cytoscape has drawn the map (bench/map.py reads these marks).
  await new Promise((resolve) => { requestAnimationFrame(() => requestAnimationFrame(resolve)); });
  performance.mark('netatlas:map-drawn');
}

function showCounts() {
  const c = state.map.counts();
  const el = $('#map-counts');
  el.textContent = `${c.devices} devices · ${c.unmanaged} unmanaged · ${c.endpoints} endpoints · ${c.l2} L2 links · ${c.l3} L3 adjacencies`;
  for (const [k, v] of Object.entries(c)) el.dataset[k] = String(v);
}

function buildProtocolToggles() {
  const box = $('#layer-protocols');
  clear(box, Object.keys(state.map.layers.protocols).sort().map((p) => h('label', {},
    h('input', { type: 'checkbox', 'data-layer': `proto:${p}`, checked: state.map.layers.protocols[p], id: `layer-proto-${p}` }),
    ` L3 ${p}`)));
}

$('#layers').addEventListener('change', (e) => {
  const layer = e.target.dataset.layer;
  if (layer) state.map.setLayer(layer, e.target.checked).catch(failed);
});
// The map from the keyboard: arrows pan, + and - zoom, 0 fits everything (nodes: use the search).
$('#cy').addEventListener('keydown', (e) => {
  const cy = state.map && state.map.cy;
  if (!cy) return;
  const pan = { ArrowLeft: [60, 0], ArrowRight: [-60, 0], ArrowUp: [0, 60], ArrowDown: [0, -60] }[e.key];
  const center = { x: cy.width() / 2, y: cy.height() / 2 };
  if (pan) cy.panBy({ x: pan[0], y: pan[1] });
  else if (e.key === '+' || e.key === '=') cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: center });
  else if (e.key === '-') cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: center });
  else if (e.key === '0') cy.fit(undefined, 30);
  else return;
  e.preventDefault();
});
$('#map-refresh').addEventListener('click', guarded(loadMap));
$('#map-expand').addEventListener('click', () => state.map.expandAll());
$('#map-collapse').addEventListener('click', () => state.map.collapseAll());
$('#map-reset').addEventListener('click', guarded(async () => {
  await state.map.resetPositions();
  show('Layout reset: the computed positions again', 'info');
}));
$('#map-clear').addEventListener('click', () => state.map.clearMarks());

// ---- search -----------------------------------------------------------------------------------
$('#search-form').addEventListener('submit', guarded(async (event) => {
  event.preventDefault();
  const q = $('#search-input').value.trim();
  if (!q) return;
  const map = state.map;
  map.clearMarks();
  const lower = q.toLowerCase();
  const node = state.doc.nodes.find((n) => n.id.toLowerCase() === lower || (n.mgmt_ip && n.mgmt_ip === q)
    || (n.names || []).some((name) => name.toLowerCase() === lower));
  if (node) {
    map.focus(map.element(node.id));
    showNode(node, null);
    show(`Found ${node.kind} ${node.id}`, 'info');
    return;
  }
  const found = await api(`/api/topology/endpoints${query({ q })}`);
  if (!found.found) { show(`Nothing matches ${q}`); return; }
  const marks = [];
  const hosts = found.now.filter((place) => place.mac);
  if (hosts.length) {
    await map.revealEndpoints(hosts.map((place) => place.node)); // the layer on, their endpoints fetched
    $('#layer-endpoints').checked = true;
  }
  for (const place of found.now) {
    marks.push(map.element(place.node));
    if (place.mac) marks.push(map.element(`ep:${place.mac}`), map.cy.getElementById(`acc:${place.mac}`));
  }
  for (const id of found.nodes || []) marks.push(map.element(id));
  map.focus(marks.reduce((all, x) => all.union(x), map.cy.collection()));
  selectTab('tab-details');
  const panel = clear($('#panel-details'), h('h2', {}, `Host ${found.key}`),
    table(found.now, [['switch', (p) => p.node], ['port', (p) => p.interface], ['vlan', (p) => p.vlan], ['mac', (p) => p.mac], ['ip', (p) => p.ip]], { caption: 'Plugged in now' }));
  if (found.moves && found.moves.length) {
    panel.append(table(found.moves, [['from', (m) => m.from.places.map((p) => `${p.node} ${p.interface}`)], ['to', (m) => m.to.places.map((p) => `${p.node} ${p.interface}`)], ['run', (m) => m.to.job_id]], { caption: 'Moves' }));
  }
  const ip = found.now.find((p) => p.ip);
  if (ip) await gatewayPath(ip, panel);
  if (ip) panel.append(h('p', {}, h('button', { type: 'button', onclick: () => { selectTab('tab-path'); $('#path-src').value = ip.ip; $('#path-dst').focus(); } }, `Trace a path from ${ip.ip}`)));
  show(`Found ${found.kind} ${found.key} on ${found.now.map((p) => `${p.node} ${p.interface}`).join(', ')}`, 'info');
}));

// The host's gateways are where a trace to its own address starts (the devices routing its subnet);
// the L2 path from its access switch to each is drawn over the map's cables.
async function gatewayPath(place, panel) {
  let trace;
  try { trace = await api(`/api/topology/path${query({ src: place.ip, dst: place.ip })}`); } catch (e) {
    if (e instanceof ApiError && e.status !== 401) { panel.append(h('p', { class: 'note' }, `No path to its gateway: ${e.message}`)); return; }
    throw e;
  }
  const map = state.map;
  const gateways = [...new Set(trace.hops.filter((hop) => hop.parent === null || hop.parent === undefined).map((hop) => hop.device))].sort();
  const cables = map.cy.elements().filter((e) => e.isNode() || (e.hasClass('l2') && !e.hasClass('off')));
  gateways.forEach((gateway, i) => {
    const color = BRANCH_COLORS[i % BRANCH_COLORS.length];
    const found = cables.aStar({ root: map.element(place.node), goal: map.element(gateway) });
    if (found.found) found.path.forEach((e) => { e.data('pathColor', color); e.addClass('path'); });
  });
  panel.append(h('p', { id: 'search-gateways' }, gateways.length ? `Gateway${gateways.length > 1 ? 's' : ''}: ${gateways.join(', ')}` : 'No gateway found for it.'));
}

// ---- device panel -----------------------------------------------------------------------------
function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, cell(v))]));
}

function showNode(node, endpoint) {
  selectTab('tab-details');
  const panel = $('#panel-details');
  if (endpoint) {
    clear(panel, h('h2', {}, `Endpoint ${endpoint.ip || endpoint.mac}`),
      facts([['MAC', endpoint.mac], ['IP', endpoint.ip], ['VLAN', endpoint.vlan], ['switch', endpoint.node], ['port', endpoint.interface]]));
    return;
  }
  const links = state.doc.links.filter((l) => l.a.node === node.id || l.b.node === node.id);
  clear(panel, h('h2', { id: 'device-title' }, `${node.kind === 'device' ? 'Device' : 'Node'} ${node.id}`),
    facts([['kind', node.kind], ['platform', node.platform], ['management IP', node.mgmt_ip], ['site', node.site], ['role', node.role],
      ['last discovery', node.status], ['error', node.error_kind || '—'], ['also known as', node.names],
      ['endpoints', state.map.endpointCounts[node.id] || 0]]),
    table(links, [['layer', (l) => l.layer], ['local', (l) => (l.a.node === node.id ? l.a.interface : l.b.interface)],
      ['neighbor', (l) => (l.a.node === node.id ? l.b.node : l.a.node)], ['remote', (l) => (l.a.node === node.id ? l.b.interface : l.a.interface)],
      ['protocols', (l) => l.protocols], ['state', (l) => l.state]], { caption: `Links (${links.length})`, onRow: (l) => showLink(l) }));
  if (node.kind !== 'device') return;
  const kinds = h('div', { class: 'subtabs', role: 'group', 'aria-label': 'Device data' });
  const out = h('div', { id: 'device-data' });
  for (const kind of DEVICE_KINDS) {
    kinds.append(h('button', { type: 'button', 'aria-pressed': 'false', 'data-kind': kind,
      onclick: (e) => { for (const b of kinds.children) b.setAttribute('aria-pressed', String(b === e.currentTarget)); loadData(node.id, kind, 0, out); } }, kind));
  }
  const inventory = h('div', { id: 'device-inventory' });
  panel.append(inventory, h('h3', {}, 'Device data'), kinds, out);
  guarded(latestRun)(node.id, panel);
  guarded(async () => {
    const d = await api(`/api/devices/${encodeURIComponent(node.id)}`);
    clear(inventory, h('h3', {}, 'Inventory'), facts([['host', `${d.host}:${d.port}`], ['platform', d.platform], ['credentials', d.credentials],
      ['site', d.site], ['role', d.role], ['tags', d.tags]]));
  })();
  kinds.firstChild.click();
}

async function latestRun(name, panel) {
  const jobs = await api(`/api/jobs${query({ limit: 20 })}`);
  for (const job of jobs.items) {
    const detail = await api(`/api/jobs/${encodeURIComponent(job.id)}`);
    const row = detail.devices.find((d) => d.device_name === name);
    if (row) {
      panel.insertBefore(h('p', { class: `status-${row.status}`, id: 'device-last-run' },
        `Last discovery: ${row.status} in job ${job.id.slice(0, 8)}${row.finished_at ? ` at ${row.finished_at}` : ''}`,
        row.error_kind ? ` — ${row.error_kind}: ${row.error}` : ''), panel.children[2] || null);
      return;
    }
  }
}

const loadData = guarded(async (name, kind, offset, out) => {
  const data = await api(`/api/devices/${encodeURIComponent(name)}/data/${kind}${query({ offset, limit: PAGE })}`);
  const columns = new Set();
  for (const r of data.records) for (const k of Object.keys(r)) columns.add(k);
  const coverage = Object.entries(data.coverage).map(([t, c]) => `${t}: ${c.status}${c.note ? ` (${c.note})` : ''}`).join('; ');
  clear(out, h('p', { class: 'note' }, coverage || 'Never collected.'),
    table(data.records, [...columns], { caption: `${kind} ${data.offset + 1}–${data.offset + data.records.length}` }),
    h('div', { class: 'pager' },
      h('button', { type: 'button', disabled: offset === 0, onclick: () => loadData(name, kind, Math.max(0, offset - PAGE), out) }, 'Previous'),
      h('button', { type: 'button', disabled: !data.more, onclick: () => loadData(name, kind, offset + PAGE, out) }, 'Next')));
});

// ---- link panel -------------------------------------------------------------------------------
function showLink(link) {
  selectTab('tab-details');
  const map = state.map;
  map.clearMarks();
  map.focus(map.findEdge(link));
  const s = session.get();
  const panel = clear($('#panel-details'), h('h2', {}, `${link.layer.toUpperCase()} link ${link.a.node} — ${link.b.node}`),
    facts([['end A', `${link.a.node} ${link.a.interface}`], ['end B', `${link.b.node} ${link.b.interface}`], ['protocols', link.protocols],
      ['VRF', link.vrf], ['state', link.state], ['reported by', link.reported_by],
      ['port-channel A', link.channel_a || '—'], ['port-channel B', link.channel_b || '—'], ['override', link.override_id ?? '—']]));
  if (link.state === 'one_sided') panel.append(h('p', { class: 'note' }, 'One-sided: only one end reports this link.'));
  const conflicts = (state.doc.problems || []).filter((p) => p.kind === 'conflict' && (p.nodes || []).some((n) => n === link.a.node || n === link.b.node));
  for (const p of conflicts) panel.append(h('p', { class: 'status-failed' }, `Conflict: ${p.message}`));
  const members = state.doc.links.filter((l) => l !== link && l.layer === 'l2' && ((link.channel_a && l.channel_a === link.channel_a && l.a.node === link.a.node)
    || (link.channel_b && l.channel_b === link.channel_b && l.b.node === link.b.node)));
  if (members.length) panel.append(table(members, [['A', (l) => `${l.a.node} ${l.a.interface}`], ['B', (l) => `${l.b.node} ${l.b.interface}`], ['state', (l) => l.state]], { caption: 'Port-channel members' }));
  if (Object.keys(link.detail || {}).length) panel.append(h('h3', {}, 'Detail'), facts(Object.entries(link.detail)));
  const ends = [`${link.a.node}${link.a.interface ? `:${link.a.interface}` : ''}`, `${link.b.node}${link.b.interface ? `:${link.b.interface}` : ''}`];
  const act = guarded(async (action) => {
    const reason = $('#override-reason').value;
    const done = await api('/api/topology/overrides', { method: 'POST', body: { action, a: ends[0], b: ends[1], layer: link.layer, vrf: link.vrf, reason } });
    show(`Override ${done.id}: ${done.action} recorded`, 'info');
    await loadMap();
  });
  panel.append(h('h3', {}, 'Operator actions'), h('label', { for: 'override-reason' }, 'Reason'), h('input', { id: 'override-reason', autocomplete: 'off' }),
    h('p', {}, h('button', { type: 'button', id: 'override-confirm', onclick: () => act('confirm') }, 'Confirm link'), ' ',
      h('button', { type: 'button', id: 'override-ignore', class: 'danger', onclick: () => act('ignore') }, 'Ignore link'),
      link.override_id ? [' ', h('button', { type: 'button', onclick: guarded(async () => {
        await api(`/api/topology/overrides/${link.override_id}`, { method: 'DELETE' });
        show('Override removed', 'info');
        await loadMap();
      }) }, 'Remove override')] : null),
    s && s.role === 'viewer' ? h('p', { class: 'note' }, 'Viewers cannot change overrides; the API will refuse.') : null);
}

// ---- jobs console -----------------------------------------------------------------------------
for (const [field, label] of DATA_TYPES) {
  $('#job-types').append(h('label', {}, h('input', { type: 'checkbox', name: field, checked: true }), ` ${label}`));
}

async function loadDevices() {
  const all = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api(`/api/devices${query({ offset, limit: 500 })}`);
    all.push(...page.items);
    if (!page.more) break;
  }
  state.devices = all;
  clear($('#job-devices'), all.map((d) => h('option', { value: d.name }, `${d.name}${d.site ? ` (${d.site})` : ''}`)));
  clear($('#job-sites'), [...new Set(all.map((d) => d.site).filter(Boolean))].sort().map((s) => h('option', { value: s })));
}

$('#job-form').addEventListener('submit', guarded(async (event) => {
  event.preventDefault();
  const body = { device_ids: [...$('#job-devices').selectedOptions].map((o) => o.value) };
  const site = $('#job-site').value.trim();
  const tags = $('#job-tags').value.split(',').map((t) => t.trim()).filter(Boolean);
  if (site) body.site = site;
  if (tags.length) body.tags = tags;
  for (const input of $('#job-types').querySelectorAll('input')) body[input.name] = input.checked;
  const started = await api('/api/topology/discover-async', { method: 'POST', body });
  show(`Discovery ${started.job_id} started: ${started.total_devices} devices`, 'info');
  watchJob(started.job_id);
  loadJobs();
}));

function watchJob(jobId) {
  if (state.live) state.live.abort();
  const controller = new AbortController();
  state.live = controller;
  const box = clear($('#job-live'), h('h2', {}, `Job ${jobId.slice(0, 8)}`), h('p', { class: 'note' }, 'Connecting…'));
  const rows = new Map();
  let doc = null;
  const render = () => {
    if (!doc) return;
    const devices = [...rows.values()];
    const failures = devices.filter((d) => d.error_kind);
    const done = FINAL.has(doc.status);
    clear(box, h('h2', {}, `Job ${jobId.slice(0, 8)}`),
      h('p', { id: 'job-status', 'data-status': doc.status, 'data-job': jobId, class: `status-${doc.status}` },
        `${doc.status}: ${doc.completed_devices} completed, ${doc.failed_devices} failed, ${doc.cancelled_devices} cancelled of ${doc.total_devices}`),
      h('div', { class: 'bar', role: 'progressbar', 'aria-label': 'Job progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': doc.progress_percentage },
        h('span', { style: `width:${doc.progress_percentage}%` })),
      done ? null : h('button', { type: 'button', id: 'job-cancel', class: 'danger', onclick: guarded(async () => {
        const r = await api(`/api/topology/discover/${encodeURIComponent(jobId)}`, { method: 'DELETE' });
        show(`Job ${r.status}`, 'info');
      }) }, 'Cancel job'),
      table(devices, [['device', (d) => d.device_name || d.device], ['status', (d) => d.status], ['step', (d) => d.current_task ?? d.step],
        ['%', (d) => d.progress_percentage]], { caption: 'Devices' }),
      failures.length ? table(failures, [['device', (d) => d.device_name || d.device], ['error kind', (d) => d.error_kind], ['message', (d) => d.error]], { caption: 'Failures' }) : null);
  };
  const take = (progress) => {
    doc = progress;
    for (const d of progress.devices) rows.set(d.device_id, d);
    render();
  };
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      try { take(await api(`/api/topology/discover/progress/${encodeURIComponent(jobId)}${query({ limit: 1000 })}`, { signal: controller.signal })); } catch (e) { failed(e); }
    }, 500);
  };
  (async () => {
    try {
      await stream(`/api/topology/discover/${encodeURIComponent(jobId)}/events`, (event, data) => {
        if (event === 'progress' || event === 'end') take(data);
        else if (event === 'update') {
          for (const e of data.events || []) {
            if (e.kind === 'device') {
              const row = rows.get(e.device) || { device_id: e.device, device_name: e.device };
              rows.set(e.device, { ...row, status: e.status, current_task: e.step || row.current_task, error_kind: e.error_kind || null, error: e.error || '' });
            } else if (e.kind === 'job' && doc) doc = { ...doc, status: e.status };
          }
          render();
          refresh(); // counts and percentages from the rows (an event only says a row changed)
        }
        if (event === 'end') {
          if (pending) { clearTimeout(pending); pending = null; }
          show(`Job ${jobId.slice(0, 8)} ${data.status}`, data.status === 'completed' ? 'info' : 'error');
          loadJobs();
          loadMap().catch(failed);
        }
      }, controller.signal);
    } catch (e) { failed(e); }
  })();
}

async function loadJobs() {
  const jobs = await api(`/api/jobs${query({ limit: 50 })}`);
  state.jobs = jobs.items;
  clear($('#job-history'), table(jobs.items, [['job', (j) => j.id.slice(0, 8)], ['status', (j) => j.status], ['by', (j) => j.requested_by],
    ['devices', (j) => `${j.counts.completed}/${j.counts.total}${j.counts.failed ? ` (${j.counts.failed} failed)` : ''}`], ['created', (j) => j.created_at]],
  { caption: 'Newest first: click a job to follow it', onRow: (j) => watchJob(j.id) }));
  const runs = jobs.items.filter((j) => j.status === 'completed' || j.status === 'cancelled' || j.status === 'interrupted');
  const options = () => runs.map((j) => h('option', { value: j.id }, `${j.id.slice(0, 8)} ${j.created_at} (${j.status})`));
  clear($('#changes-from'), options());
  clear($('#changes-to'), options());
  if (runs.length > 1) { $('#changes-from').value = runs[1].id; $('#changes-to').value = runs[0].id; }
  const timeline = $('#changes-timeline');
  timeline.max = String(Math.max(0, runs.length - 2));
  timeline.value = '0';
  state.runs = runs;
}
$('#jobs-refresh').addEventListener('click', guarded(loadJobs));

// ---- path view --------------------------------------------------------------------------------
$('#path-form').addEventListener('submit', guarded(async (event) => {
  event.preventDefault();
  const found = await api(`/api/topology/path${query({ src: $('#path-src').value.trim(), dst: $('#path-dst').value.trim(), vrf: $('#path-vrf').value.trim() || 'default' })}`);
  const hops = new Map(found.hops.map((hop) => [hop.id, hop]));
  const out = clear($('#path-result'), h('p', { id: 'path-summary' }, `${found.source} → ${found.destination} (${found.vrf}): ${found.complete ? 'complete' : 'incomplete'}, ${found.branches.length} branch${found.branches.length === 1 ? '' : 'es'}`));
  const colored = found.branches.map((branch, i) => ({ branch, color: BRANCH_COLORS[i % BRANCH_COLORS.length], list: branch.hops.map((id) => hops.get(id)) }));
  const map = state.map;
  map.paint((find) => {
    for (const { color, list } of colored) {
      for (const hop of list) {
        const node = find(hop.device);
        node.data('pathColor', color);
        node.addClass('path');
        const parent = hop.parent !== null && hop.parent !== undefined ? hops.get(hop.parent) : null;
        if (parent) map.edgesBetween(parent.device, hop.device).forEach((e) => { e.data('pathColor', color); e.addClass('path'); });
      }
    }
  });
  colored.forEach(({ branch, color, list }, i) => out.append(h('div', { class: 'branch', style: `--branch:${color}` },
    h('strong', {}, `Branch ${i + 1}: ${branch.stop || ''} ${branch.message || ''}`),
    table(list, [['#', (x) => x.depth], ['device', (x) => x.device], ['in', (x) => x.ingress], ['out', (x) => x.egress], ['prefix', (x) => x.prefix],
      ['via', (x) => x.protocol], ['next hop', (x) => x.next_hop], ['stop', (x) => x.stop || '']], { caption: `Hops (${list.length})` }))));
  const marked = map.cy.elements('.path');
  if (marked.nonempty()) map.fitTo(marked);
}));

// ---- changes view -----------------------------------------------------------------------------
$('#changes-timeline').addEventListener('input', (e) => {
  const i = Number(e.target.value);
  if (state.runs && state.runs[i + 1]) { $('#changes-to').value = state.runs[i].id; $('#changes-from').value = state.runs[i + 1].id; }
});
$('#changes-form').addEventListener('submit', guarded(async (event) => {
  event.preventDefault();
  const change = await api(`/api/topology/diff${query({ from_job: $('#changes-from').value, to_job: $('#changes-to').value })}`);
  const map = state.map;
  map.paint((find) => {
    const mark = (cls) => (id) => find(id).addClass(cls);
    change.nodes.added.forEach((n) => mark('chg-added')(n.id));
    change.nodes.removed.forEach((n) => mark('chg-removed')(n.id));
    for (const [cls, links] of [['chg-added', change.links.added], ['chg-removed', change.links.removed], ['chg-moved', change.links.changed.map((c) => c.after)]]) {
      for (const l of links) {
        const edges = map.findEdge(l);
        if (edges.nonempty()) edges.addClass(cls);
        else { mark(cls)(l.a.node); mark(cls)(l.b.node); }
      }
    }
    for (const m of change.endpoints.moved) {
      if (m.from.node !== m.to.node) mark('chg-removed')(m.from.node);
      mark('chg-moved')(m.to.node);
      map.cy.getElementById(`ep:${m.mac}`).addClass('chg-moved');
    }
  });
  const endText = (e) => `${e.node} ${e.interface}`;
  const linkText = (l) => `${l.layer} ${endText(l.a)} — ${endText(l.b)} ${l.protocols.join('/')}`;
  clear($('#changes-result'), h('p', { id: 'changes-summary' }, change.empty ? 'No change between these runs.'
    : Object.entries(change.counts).filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`).join(', ')),
  change.links.added.length ? table(change.links.added, [['added link', linkText]]) : null,
  change.links.removed.length ? table(change.links.removed, [['removed link', linkText]]) : null,
  change.nodes.added.length ? table(change.nodes.added, [['added node', (n) => n.id]]) : null,
  change.nodes.removed.length ? table(change.nodes.removed, [['removed node', (n) => n.id]]) : null,
  change.endpoints.moved.length ? table(change.endpoints.moved, [['moved host', (m) => m.mac], ['from', (m) => endText(m.from)], ['to', (m) => endText(m.to)]], { caption: 'Moved endpoints' }) : null,
  change.endpoints.added.length ? table(change.endpoints.added, [['new host', (e) => e.mac], ['on', endText]]) : null,
  change.endpoints.removed.length ? table(change.endpoints.removed, [['gone host', (e) => e.mac], ['was on', endText]]) : null);
  const marked = map.cy.elements('.chg-added, .chg-removed, .chg-moved');
  if (marked.nonempty()) map.fitTo(marked);
}));

// ---- risks view -------------------------------------------------------------------------------
$('#risks-go').addEventListener('click', guarded(async () => {
  const found = await api('/api/topology/analysis');
  const map = state.map;
  const spof = found.single_points_of_failure;
  map.paint((find) => {
    for (const d of spof.devices) find(d.node).addClass('spof');
    for (const c of spof.cables) map.findEdge({ layer: 'l2', a: c.a, b: c.b }).addClass('spof');
  });
  const cut = (x) => `${x.cut_off.count} cut off${x.cut_off.sites.length ? ` (sites ${x.cut_off.sites.join(', ')})` : ''}`;
  clear($('#risks-result'), h('p', { id: 'risks-summary' }, `${spof.devices.length} critical devices, ${spof.cables.length} critical cables (${spof.basis})`),
    table(spof.devices, [['device', (d) => d.node], ['if it fails', cut]], { caption: 'Single points of failure: devices', onRow: (d) => map.focus(map.element(d.node)) }),
    table(spof.cables, [['cable', (c) => `${c.a.node} ${c.a.interface} — ${c.b.node} ${c.b.interface}`], ['if cut', cut]], { caption: 'Single points of failure: cables' }),
    found.isolated.length ? table(found.isolated.map((n) => ({ n })), [['isolated', (x) => x.n]]) : null,
    found.failed.length ? table(found.failed, [['failed device', (f) => f.node], ['kind', (f) => f.error_kind], ['error', (f) => f.error]]) : null,
    found.mismatches.length ? table(found.mismatches, [['mismatch', (m) => `${m.a.node} ${m.a.interface} ${m.a_value} / ${m.b.node} ${m.b.interface} ${m.b_value}`], ['attribute', (m) => m.attribute]]) : null);
}));

// ---- export -----------------------------------------------------------------------------------
document.querySelectorAll('[data-export]').forEach((button) => button.addEventListener('click', guarded(async () => {
  const format = button.dataset.export;
  if (format === 'png') {
    download(state.map.cy.png({ output: 'blob', full: true, bg: '#ffffff', maxWidth: 8000, maxHeight: 8000 }), 'topology.png');
    return;
  }
  const response = await api(`/api/topology/export${query({ format })}`, { raw: true });
  download(await response.blob(), `topology.${format}`);
})));

// ---- start ------------------------------------------------------------------------------------
if (session.get()) toApp().catch(failed);
else toLogin();
