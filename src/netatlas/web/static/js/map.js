// The map: cytoscape.js over the topology document (GET /api/topology).
//
// Layout (preset positions computed here, deterministic and linear): nodes are grouped by site
// (compound nodes; a site of more than GROUP_MAX devices is split by role), each group laid out in
// rows by role rank (core/spine/wan/backbone first, then distribution, then access/leaf, then the
// rest, unmanaged neighbors, endpoints under their switch); groups tile the canvas in rows. At
// COLLAPSE_AT devices or more every group starts collapsed into one node (links between groups
// aggregated with their count): clicking a group expands it, clicking an expanded site collapses it.
// Positions an operator drags are stored on the server (PUT /api/topology/layout, shared by every
// user) and win over the computed ones.
//
// Pans and zooms the map makes itself (the keyboard, fit/centre animations, any cy.pan/zoom/fit)
// get the cheap frame cytoscape draws during a user's gesture on a large map (a cached image of the
// nodes, edges hidden), redrawn in full MOTION_IDLE_MS after the last change: see motion().
//
// Endpoints are not in the map's first document (GET /api/topology?endpoints=count: a count per
// switch); when the endpoints layer is on, those of the switches in open groups are fetched
// (GET /api/topology/attached) and drawn.
import cytoscape from '../vendor/cytoscape.esm.min.js';

export const COLLAPSE_AT = 300;
const LARGE = 2500; // elements: beyond, the cheaper drawing settings
const GROUP_MAX = 150;
const NODE_GAP = 90;
const ROW_GAP = 110;
const GROUP_GAP = 140;
const ROW_WIDTH = 5200;
const MAX_ATTACHED = 200; // switches per GET /api/topology/attached; more: ask for every endpoint at once
const SAVE_DELAY_MS = 300;
const MOTION_IDLE_MS = 150; // cytoscape's own wheel gesture ends this long after its last event
export const PROTOCOL_COLORS = { ospf: '#2b6cb0', bgp: '#7b3fa0', static: '#c05621', subnet: '#2c7a7b', isis: '#b7791f' };

export function rankOf(kind, role) {
  if (kind === 'endpoint') return 5;
  if (kind === 'unmanaged') return 4;
  const r = (role || '').toLowerCase();
  if (/core|spine|wan|backbone|border|super|hub|edge-router|^pe$|^p$/.test(r)) return 0;
  if (/dist|aggr|firewall/.test(r)) return 1;
  if (/access|leaf|tor|branch|edge/.test(r)) return 2;
  return 3;
}

// `large`: straight edges (bundling parallel links as bezier curves costs much more to draw) and
// solid L3 lines (their colour tells them from the grey cables): a dashed line is drawn dash by dash,
// and 1,500 dashed adjacencies doubled the cost of every full redraw of an expanded 1,000-device map.
function style(large) {
  return [
    { selector: 'node', style: {
      label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3, width: 26, height: 26,
      'background-color': '#4a5568', 'border-width': 2, 'border-color': '#2d3748', color: '#1a202c',
      'min-zoomed-font-size': 8 } },
    { selector: 'node.device.r0', style: { shape: 'round-rectangle', 'background-color': '#2b6cb0', width: 34, height: 34 } },
    { selector: 'node.device.r1', style: { shape: 'round-rectangle', 'background-color': '#3182ce', width: 30, height: 30 } },
    { selector: 'node.device.r2', style: { 'background-color': '#4299e1' } },
    { selector: 'node.unmanaged', style: { shape: 'diamond', 'background-color': '#a0aec0', 'border-color': '#718096' } },
    { selector: 'node.endpoint', style: { shape: 'ellipse', width: 10, height: 10, 'background-color': '#68d391',
      'border-width': 1, 'border-color': '#2f855a', 'font-size': 5, 'min-zoomed-font-size': 12 } },
    { selector: 'node.failed', style: { 'border-color': '#e53e3e', 'border-width': 4, 'background-color': '#fc8181' } },
    { selector: 'node.not_collected', style: { 'border-style': 'dashed', 'border-color': '#718096', 'background-color': '#e2e8f0' } },
    { selector: 'node.conflict', style: { 'border-color': '#c53030', 'border-width': 5, 'border-style': 'double' } },
    { selector: 'node.site', style: { shape: 'round-rectangle', 'background-color': '#f7fafc', 'background-opacity': 0.6,
      'border-color': '#a0aec0', 'border-width': 1, 'text-valign': 'top', 'text-halign': 'center', 'font-size': 14,
      'font-weight': 'bold', color: '#4a5568', padding: 24, 'text-margin-y': -4, 'text-max-width': 400 } },
    { selector: 'node.sitelabel', style: { 'background-opacity': 0, 'border-width': 0, width: 20, height: 20,
      'text-valign': 'center', 'font-size': 36, color: '#4a5568', padding: 0 } },
    { selector: 'node.group', style: { shape: 'round-rectangle', 'background-color': '#bee3f8', 'border-color': '#2b6cb0',
      width: 'data(size)', height: 'data(size)', 'text-valign': 'center', 'text-wrap': 'wrap', 'font-size': 12,
      'text-max-width': 160, 'min-zoomed-font-size': 4 } },
    { selector: 'edge', style: { width: 2, 'line-color': '#718096', 'curve-style': large ? 'haystack' : 'bezier', opacity: 0.9 } },
    { selector: 'edge.l3', style: { 'line-style': large ? 'solid' : 'dashed', width: 1.5, 'line-color': 'data(color)' } },
    { selector: 'edge.access', style: { width: 1, 'line-color': '#9ae6b4' } },
    { selector: 'edge.agg', style: { width: 'data(width)', label: 'data(label)', 'font-size': 9, 'text-rotation': 'autorotate',
      'text-background-color': '#fff', 'text-background-opacity': 0.8, 'curve-style': 'straight' } },
    { selector: 'edge.one_sided', style: { 'line-style': 'dotted', 'line-color': '#dd6b20', width: 3 } },
    { selector: 'edge.conflict', style: { 'line-color': '#c53030', width: 4, 'line-style': 'solid' } },
    { selector: 'edge.confirmed', style: { 'line-style': 'double', width: 5, 'line-color': '#2f855a' } },
    { selector: 'edge.added', style: { 'line-style': 'dashed', width: 3, 'line-color': '#38a169' } },
    { selector: 'edge.ignored', style: { opacity: 0.3, 'line-style': 'dotted' } },
    { selector: '.off', style: { display: 'none' } },
    { selector: 'node:selected', style: { 'border-color': '#d69e2e', 'border-width': 5 } },
    { selector: 'edge:selected', style: { 'line-color': '#d69e2e', width: 5 } },
    { selector: '.hl', style: { 'border-color': '#d69e2e', 'border-width': 6, 'z-index': 20 } },
    { selector: 'edge.hl', style: { 'line-color': '#d69e2e', width: 6 } },
    { selector: 'node.path', style: { 'border-color': 'data(pathColor)', 'border-width': 6, 'z-index': 30 } },
    { selector: 'edge.path', style: { 'line-color': 'data(pathColor)', width: 6, 'z-index': 30, 'line-style': 'solid' } },
    { selector: 'node.chg-added', style: { 'border-color': '#38a169', 'border-width': 6 } },
    { selector: 'edge.chg-added', style: { 'line-color': '#38a169', width: 6 } },
    { selector: 'node.chg-removed', style: { 'border-color': '#e53e3e', 'border-width': 6 } },
    { selector: 'edge.chg-removed', style: { 'line-color': '#e53e3e', width: 6 } },
    { selector: 'node.chg-moved', style: { 'border-color': '#805ad5', 'border-width': 6, 'background-color': '#b794f4' } },
    { selector: 'edge.chg-moved', style: { 'line-color': '#805ad5', width: 6 } },
    { selector: 'node.spof', style: { 'border-color': '#e53e3e', 'border-width': 7 } },
    { selector: 'edge.spof', style: { 'line-color': '#e53e3e', width: 6 } },
    { selector: '.faded', style: { opacity: 0.2 } },
  ];
}

function endKey(node, iface) { return `${node}\u0000${iface || ''}`; }

export class MapView {
  // fetchEndpoints(switches or null for all) -> [endpoint]; savePositions({id: {x, y} or null}, replace)
  // -> Promise (absent: positions last until the page reloads, as for a viewer).
  constructor(container, { onNode, onLink, onGroup, fetchEndpoints, savePositions, onError } = {}) {
    this.container = container;
    this.handlers = { onNode, onLink, onGroup, fetchEndpoints, savePositions, onError };
    this.painter = null; // the open view's marks (paint)
    this.layers = { l2: true, l3: true, endpoints: false, unmanaged: true, protocols: {} };
    this.expanded = new Set();
    this.collapsible = false;
    this.positions = {};
    this.unsaved = {};
    this.doc = null;
    this.endpointsBySwitch = new Map();
    this.loadedSwitches = new Set();
    this.cheapMotion = true; // false: every programmatic pan/zoom frame a full redraw (the benchmark compares)
    this.motionIdleMs = MOTION_IDLE_MS; // tests on a loaded machine lengthen it
    this.quiet = false; // set while the map fits itself to new elements (one full draw is cheaper)
    this.create(false);
  }

  // A large topology gets the renderer's cheap settings (fixed when cytoscape starts): a cached
  // texture and no edges while panning or zooming, one pixel per CSS pixel, straight edges.
  create(large) {
    if (this.cy) this.cy.destroy();
    this.large = large;
    this.cy = cytoscape({ container: this.container, style: style(large), wheelSensitivity: 0.3, minZoom: 0.02, maxZoom: 4,
      boxSelectionEnabled: false, textureOnViewport: large, hideEdgesOnViewport: large, pixelRatio: large ? 1 : 'auto',
      motionBlur: false });
    this.cy.on('tap', 'node', (e) => this.tapNode(e.target));
    this.cy.on('tap', 'edge', (e) => { const link = e.target.data('link'); if (link && this.handlers.onLink) this.handlers.onLink(link, e.target); });
    this.cy.on('dragfree', 'node', (e) => this.saveDragged(e.target));
    this.cy.on('viewport', () => this.motion());
  }

  // The viewport changed. cytoscape draws its cheap frame (textureOnViewport, hideEdgesOnViewport)
  // only while a user gesture runs: a drag, a pinch, or a wheel zoom, which sets its renderer's
  // `data.wheelZooming` and clears it 150 ms after the last wheel event (then redraws in full). No
  // public API starts it, so a change made by code is treated as one more wheel event: the same
  // flag and the same timer slot (a wheel during a keyboard pan, or the reverse, ends when the
  // later of the two is idle). During a drag or pinch cytoscape's own gesture already applies.
  // Checked against the vendored cytoscape 3.35 (its renderer's `render`, `wheelHandler`).
  motion() {
    if (!this.large || !this.cheapMotion || this.quiet) return;
    const r = this.cy.renderer();
    if (!r || !r.data || !r.hoverData || r.hoverData.dragging || r.pinching || r.swipePanning) return;
    r.data.wheelZooming = true;
    clearTimeout(r.data.wheelTimeout);
    r.data.wheelTimeout = setTimeout(() => {
      r.data.wheelZooming = false;
      r.redrawHint('eles', true);
      r.redraw();
    }, this.motionIdleMs);
  }

  // New elements: a cheap motion in progress ends now (its cached image shows the old ones).
  settle() {
    const r = this.cy.renderer();
    if (!r || !r.data || !r.data.wheelZooming) return;
    clearTimeout(r.data.wheelTimeout);
    r.data.wheelZooming = false;
    r.redrawHint('eles', true);
  }

  // Fit the viewport to new elements without the cheap frame (it would draw them twice).
  fitNow(eles, padding) {
    this.quiet = true;
    try { this.cy.fit(eles, padding); } finally { this.quiet = false; }
  }

  // A new topology document (keeps expanded groups) and the stored layout ({id: {x, y}}).
  load(doc, positions = null) {
    this.doc = doc;
    if (positions) this.positions = { ...positions, ...this.unsaved };
    this.endpointCounts = doc.endpoint_counts || countBy(doc.endpoints || [], (e) => e.node);
    this.endpointsBySwitch = new Map();
    this.loadedSwitches = new Set();
    this.addEndpoints(doc.endpoints || [], doc.endpoint_counts ? [] : null);
    const devices = doc.nodes.filter((n) => n.kind === 'device').length;
    this.nodes = new Map(doc.nodes.map((n) => [n.id, n]));
    this.conflictEnds = new Set();
    this.conflictNodes = new Set();
    for (const p of doc.problems || []) {
      if (p.kind !== 'conflict') continue;
      for (const n of p.nodes || []) this.conflictNodes.add(n);
      for (const e of p.ends || []) this.conflictEnds.add(endKey(e.node, e.interface));
    }
    for (const link of doc.links) for (const p of link.layer === 'l3' ? link.protocols : []) {
      if (!(p in this.layers.protocols)) this.layers.protocols[p] = true;
    }
    const large = doc.nodes.length + doc.links.length > LARGE;
    if (large !== this.large) this.create(large);
    this.assignGroups();
    const wasCollapsible = this.collapsible;
    this.collapsible = devices >= COLLAPSE_AT;
    if (!this.collapsible) this.expanded = new Set(this.groups.keys());
    else if (!wasCollapsible) this.expanded = new Set();
    this.render();
    this.loadEndpoints().catch((e) => this.failed(e));
  }

  assignGroups() {
    const bySite = new Map();
    for (const n of this.doc.nodes) if (n.kind === 'device') bySite.set(n.site || '', (bySite.get(n.site || '') || 0) + 1);
    this.groupOf = new Map();
    const groupFor = (n) => {
      const site = n.site || '';
      const name = site || '(no site)';
      return (bySite.get(site) || 0) > GROUP_MAX ? `${name} · ${n.role || '(no role)'}` : name;
    };
    for (const n of this.doc.nodes) if (n.kind === 'device') this.groupOf.set(n.id, groupFor(n));
    // Unmanaged neighbors and endpoint nodes join the group of a device they are linked to.
    for (const link of this.doc.links) {
      for (const [x, y] of [[link.a.node, link.b.node], [link.b.node, link.a.node]]) {
        if (!this.groupOf.has(x) && this.groupOf.has(y)) this.groupOf.set(x, this.groupOf.get(y));
      }
    }
    for (const n of this.doc.nodes) if (!this.groupOf.has(n.id)) this.groupOf.set(n.id, n.site || '(no site)');
    this.groups = new Map();
    for (const n of this.doc.nodes) {
      const g = this.groupOf.get(n.id);
      if (!this.groups.has(g)) this.groups.set(g, { key: g, nodes: [], devices: 0, rank: 9 });
      const group = this.groups.get(g);
      group.nodes.push(n);
      if (n.kind === 'device') group.devices += 1;
      group.rank = Math.min(group.rank, rankOf(n.kind, n.role));
    }
    for (const group of this.groups.values()) {
      group.endpoints = group.nodes.reduce((sum, n) => sum + (this.endpointCounts[n.id] || 0), 0);
    }
  }

  // Endpoints fetched for `switches` (null: for every switch).
  addEndpoints(endpoints, switches) {
    for (const sw of switches || Object.keys(this.endpointCounts)) {
      this.loadedSwitches.add(sw);
      this.endpointsBySwitch.set(sw, []);
    }
    for (const e of endpoints) {
      if (!this.endpointsBySwitch.has(e.node)) this.endpointsBySwitch.set(e.node, []);
      this.endpointsBySwitch.get(e.node).push(e);
    }
  }

  // The switches of open groups whose endpoints are not here yet (`only`: among these).
  missingEndpoints(only = null) {
    const wanted = [];
    for (const group of this.groups.values()) {
      if (!this.isOpen(group.key)) continue;
      for (const n of group.nodes) {
        if ((this.endpointCounts[n.id] || 0) > 0 && !this.loadedSwitches.has(n.id) && (!only || only.has(n.id))) wanted.push(n.id);
      }
    }
    return wanted;
  }

  // Fetch what the endpoints layer needs (the open groups' switches), then draw. Resolves when drawn;
  // `this.loading` is the pending fetch (tests and the search wait for it).
  async loadEndpoints(only = null) {
    if (!this.layers.endpoints || !this.handlers.fetchEndpoints) return;
    const wanted = this.missingEndpoints(only);
    if (!wanted.length) return;
    const doc = this.doc;
    const everything = wanted.length > MAX_ATTACHED;
    const job = (async () => {
      const parts = everything ? [null] : [wanted];
      for (const part of parts) {
        const found = await this.handlers.fetchEndpoints(part);
        if (this.doc !== doc) return; // a newer document meanwhile
        this.addEndpoints(found, part);
      }
      this.render(false);
    })();
    this.loading = job;
    try { await job; } finally { if (this.loading === job) this.loading = null; }
  }

  isOpen(group) { return !this.collapsible || this.expanded.has(group); }
  rep(nodeId) {
    const g = this.groupOf.get(nodeId);
    return g === undefined || this.isOpen(g) ? nodeId : `grp:${g}`;
  }

  // Rebuild the elements from the document, the open groups and the layers (`fit`: show them all).
  render(fit = true) {
    const began = performance.now();
    const elements = [];
    const positions = this.layout();
    for (const group of [...this.groups.values()]) {
      if (!this.isOpen(group.key)) {
        const endpoints = group.endpoints ? `\n${group.endpoints} endpoints` : '';
        elements.push({ group: 'nodes', classes: 'group', position: positions.get(`grp:${group.key}`),
          data: { id: `grp:${group.key}`, label: `${group.key}\n${group.devices} devices${endpoints}`, groupKey: group.key,
            size: Math.min(180, 50 + Math.sqrt(group.devices) * 8) } });
        continue;
      }
      // A compound box per site; on a large map a label node above the group instead (cytoscape
      // re-styles a compound parent at every change of a child: with hundreds of children per box,
      // expanding everything took seconds).
      const site = `site:${group.key}`;
      const parent = this.large ? undefined : site;
      elements.push(this.large
        ? { group: 'nodes', classes: 'site sitelabel', position: positions.get(site), data: { id: site, label: group.key, groupKey: group.key } }
        : { group: 'nodes', classes: 'site', data: { id: site, label: group.key, groupKey: group.key } });
      for (const n of group.nodes) {
        const classes = [n.kind, `r${rankOf(n.kind, n.role)}`, n.status || ''];
        if (this.conflictNodes.has(n.id)) classes.push('conflict');
        elements.push({ group: 'nodes', classes: classes.join(' '), position: positions.get(n.id),
          data: { id: n.id, label: short(n.id), parent, node: n } });
        if (this.layers.endpoints) {
          for (const e of this.endpointsBySwitch.get(n.id) || []) {
            const id = `ep:${e.mac}`;
            elements.push({ group: 'nodes', classes: 'endpoint', position: positions.get(id),
              data: { id, label: e.ip || e.mac, parent, endpoint: e } });
            elements.push({ group: 'edges', classes: 'access', data: { id: `acc:${e.mac}`, source: id, target: n.id,
              endpoint: e } });
          }
        }
      }
    }
    const aggregated = new Map();
    this.doc.links.forEach((link, index) => {
      const a = this.rep(link.a.node);
      const b = this.rep(link.b.node);
      if (a === b && a.startsWith('grp:')) return;
      if (a.startsWith('grp:') || b.startsWith('grp:')) {
        const [x, y] = a < b ? [a, b] : [b, a];
        const id = `agg:${link.layer}:${x}|${y}`;
        const agg = aggregated.get(id) || { id, source: x, target: y, layer: link.layer, count: 0 };
        agg.count += 1;
        aggregated.set(id, agg);
        return;
      }
      const classes = [link.layer, link.state];
      if (this.conflictEnds.has(endKey(link.a.node, link.a.interface)) || this.conflictEnds.has(endKey(link.b.node, link.b.interface))) classes.push('conflict');
      const color = PROTOCOL_COLORS[link.protocols[0]] || '#718096';
      elements.push({ group: 'edges', classes: classes.join(' '),
        data: { id: `link:${index}`, source: link.a.node, target: link.b.node, link, color } });
    });
    for (const agg of aggregated.values()) {
      elements.push({ group: 'edges', classes: `agg ${agg.layer}`, data: { id: agg.id, source: agg.source, target: agg.target,
        label: `${agg.count} ${agg.layer.toUpperCase()}`, width: Math.min(10, 1 + Math.log2(agg.count + 1)), color: '#718096', agg } });
    }
    const built = performance.now();
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(elements);
      this.applyLayers();
    });
    this.repaint();
    this.settle();
    if (fit) this.fitNow(undefined, 30);
    this.timings = { elements: elements.length, build_ms: built - began, draw_ms: performance.now() - built };
  }

  layout() {
    const positions = new Map();
    const groups = [...this.groups.values()].sort((x, y) => x.rank - y.rank || x.key.localeCompare(y.key));
    let x0 = 0;
    let y0 = 0;
    let rowHeight = 0;
    for (const group of groups) {
      const local = new Map();
      let width;
      let height;
      if (!this.isOpen(group.key)) {
        local.set(`grp:${group.key}`, { x: 90, y: 90 });
        width = 180;
        height = 180;
      } else {
        const rows = new Map();
        for (const n of group.nodes) {
          const r = rankOf(n.kind, n.role);
          if (!rows.has(r)) rows.set(r, []);
          rows.get(r).push(n);
        }
        width = 0;
        let y = 0;
        for (const r of [...rows.keys()].sort()) {
          const row = rows.get(r).sort((p, q) => p.id.localeCompare(q.id, undefined, { numeric: true }));
          const perRow = 24;
          let extra = 0;
          row.forEach((n, i) => {
            const x = (i % perRow) * NODE_GAP;
            const yy = y + Math.floor(i / perRow) * ROW_GAP;
            local.set(n.id, { x, y: yy });
            width = Math.max(width, x + NODE_GAP);
            const eps = this.layers.endpoints ? this.endpointsBySwitch.get(n.id) || [] : [];
            eps.forEach((e, k) => local.set(`ep:${e.mac}`, { x: x - 36 + (k % 5) * 18, y: yy + 40 + Math.floor(k / 5) * 18 }));
            if (eps.length) extra = Math.max(extra, 40 + Math.ceil(eps.length / 5) * 18);
          });
          y += Math.ceil(row.length / perRow) * ROW_GAP + extra;
        }
        height = y;
        local.set(`site:${group.key}`, { x: Math.max(0, width / 2 - NODE_GAP / 2), y: -70 });
      }
      if (x0 > 0 && x0 + width > ROW_WIDTH) { x0 = 0; y0 += rowHeight + GROUP_GAP; rowHeight = 0; }
      for (const [id, p] of local) positions.set(id, this.positions[id] || { x: x0 + p.x, y: y0 + p.y });
      x0 += width + GROUP_GAP;
      rowHeight = Math.max(rowHeight, height);
    }
    return positions;
  }

  tapNode(node) {
    if (node.hasClass('group')) { this.expand(node.data('groupKey')); return; }
    if (node.hasClass('site')) {
      if (this.collapsible) { this.expanded.delete(node.data('groupKey')); this.render(); }
      return;
    }
    if (node.hasClass('sitelabel')) return;
    if (this.handlers.onNode) this.handlers.onNode(node.data('node') || null, node.data('endpoint') || null, node);
  }

  expand(groupKey) {
    if (this.isOpen(groupKey)) return;
    this.expanded.add(groupKey);
    this.render();
    const members = this.cy.nodes().filter((n) => this.groupOf.get(n.id()) === groupKey);
    if (members.nonempty()) this.fitNow(members, 40);
    if (this.handlers.onGroup) this.handlers.onGroup(groupKey);
    this.loadEndpoints().catch((e) => this.failed(e));
  }

  expandAll() { this.expanded = new Set(this.groups.keys()); this.render(); this.loadEndpoints().catch((e) => this.failed(e)); }

  failed(error) { if (this.handlers.onError) this.handlers.onError(error); }
  collapseAll() { if (this.collapsible) { this.expanded = new Set(); this.render(); } }

  // Resolves once the layer is drawn (the endpoints layer fetches what it draws first).
  async setLayer(name, on) {
    const before = this.layers.endpoints;
    if (name.startsWith('proto:')) this.layers.protocols[name.slice(6)] = on;
    else this.layers[name] = on;
    if (name === 'endpoints' && before !== on) {
      if (on && this.missingEndpoints().length) await this.loadEndpoints();
      else this.render(false);
    } else this.cy.batch(() => this.applyLayers());
  }

  // Draw the endpoints of `switches` (search results): the layer on, their groups open, fetched.
  async revealEndpoints(switches) {
    for (const sw of switches) {
      const g = this.groupOf.get(sw);
      if (g !== undefined && !this.isOpen(g)) { this.expanded.add(g); this.render(false); }
    }
    if (!this.layers.endpoints) { this.layers.endpoints = true; this.render(false); }
    if (this.loading) await this.loading;
    await this.loadEndpoints();
  }

  applyLayers() {
    const { l2, l3, unmanaged, protocols } = this.layers;
    this.cy.edges().forEach((edge) => {
      let on = true;
      if (edge.hasClass('l2')) on = l2;
      else if (edge.hasClass('l3')) {
        const link = edge.data('link');
        on = l3 && (!link || link.protocols.length === 0 || link.protocols.some((p) => protocols[p] !== false));
      }
      edge.toggleClass('off', !on);
    });
    this.cy.nodes('.unmanaged').forEach((n) => { n.toggleClass('off', !unmanaged); });
  }

  // Numbers of what the map holds (collapsed groups count their members).
  counts() {
    const doc = this.doc;
    if (!doc) return null;
    return { devices: doc.nodes.filter((n) => n.kind === 'device').length,
      unmanaged: doc.nodes.filter((n) => n.kind === 'unmanaged').length, endpoints: doc.counts.endpoints,
      l2: doc.links.filter((l) => l.layer === 'l2').length, l3: doc.links.filter((l) => l.layer === 'l3').length };
  }

  // A drag ends: the moved nodes' positions are kept and, for an operator, sent to the server (one
  // PUT for the drags of the last SAVE_DELAY_MS; `this.saving` is the pending save).
  saveDragged(node) {
    const moved = node.hasClass('site') && !node.hasClass('sitelabel') ? node.descendants() : node;
    moved.forEach((n) => {
      const p = { x: n.position('x'), y: n.position('y') };
      this.positions[n.id()] = p;
      this.unsaved[n.id()] = p;
    });
    if (!this.handlers.savePositions) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  async flush() {
    clearTimeout(this.saveTimer);
    const changes = this.unsaved;
    if (!Object.keys(changes).length || !this.handlers.savePositions) return;
    this.unsaved = {};
    const job = this.handlers.savePositions(changes, false);
    this.saving = job;
    try { await job; } catch (e) {
      for (const [id, p] of Object.entries(changes)) if (!(id in this.unsaved)) this.unsaved[id] = p;
      this.failed(e);
    } finally { if (this.saving === job) this.saving = null; }
  }

  // Forget every stored position (the server's too, for an operator) and lay the map out again.
  async resetPositions() {
    clearTimeout(this.saveTimer);
    if (this.handlers.savePositions) await this.handlers.savePositions({}, true);
    this.positions = {};
    this.unsaved = {};
    this.render();
  }

  // The cytoscape node of a topology node or endpoint, expanding its group first.
  element(id) {
    const g = this.groupOf && this.groupOf.get(id);
    if (g !== undefined && !this.isOpen(g)) this.expand(g);
    return this.cy.getElementById(id);
  }

  // The marks of a view (path, changes, risks): `marking(find, map)` draws them now, opening the
  // groups they need, and again after every rebuild of the elements (an endpoint fetch, a group
  // opened, a reload: each may land after the view's own answer) without reopening closed groups.
  paint(marking) {
    this.painter = marking;
    this.unmark();
    marking((id) => this.element(id), this);
  }

  repaint() {
    if (!this.painter) return;
    this.unmark();
    this.painter((id) => this.cy.getElementById(id), this);
  }

  clearMarks() {
    this.painter = null;
    this.unmark();
  }

  unmark() {
    this.cy.elements().removeClass('hl path chg-added chg-removed chg-moved spof faded');
  }

  focus(elements) {
    const eles = this.cy.collection().union(elements);
    if (eles.empty()) return;
    eles.addClass('hl');
    this.fitTo(eles.closedNeighborhood(), 80);
  }

  // Show `eles` whole, zoomed in no further than 1.5 (one node would otherwise fill the screen).
  fitTo(eles, padding = 60) {
    if (eles.empty()) return;
    const box = eles.boundingBox();
    const zoom = Math.min(1.5, (this.cy.width() - 2 * padding) / Math.max(box.w, 1), (this.cy.height() - 2 * padding) / Math.max(box.h, 1));
    this.cy.animate({ zoom: Math.max(this.cy.minZoom(), zoom), center: { eles }, duration: 250 });
  }

  // Links between two nodes (any layer), as cytoscape edges.
  edgesBetween(a, b) {
    const x = this.cy.getElementById(a);
    const y = this.cy.getElementById(b);
    if (x.empty() || y.empty()) return this.cy.collection();
    return x.edgesWith(y);
  }

  findEdge(link) {
    return this.cy.edges().filter((e) => {
      const l = e.data('link');
      return l && l.layer === link.layer && ((l.a.node === link.a.node && l.b.node === link.b.node && l.a.interface === link.a.interface && l.b.interface === link.b.interface)
        || (l.a.node === link.b.node && l.b.node === link.a.node && l.a.interface === link.b.interface && l.b.interface === link.a.interface));
    });
  }
}

// Labels are cut here once (cytoscape's own ellipsis measures every label's text at every draw).
function short(text) { return text.length > 24 ? `${text.slice(0, 23)}…` : text; }

function countBy(items, key) {
  const counts = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] || 0) + 1;
  return counts;
}
