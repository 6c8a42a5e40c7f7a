// The map: a Cytoscape.js canvas over the server's JSON API (docs/http-api.md).
// Elements are named as the API names them (n12, e7). The server decides which ties hold on a
// date; the page only shows what it is sent, and never more than the server's element bound.
'use strict';

const KIND_STYLE = {
  Company: { shape: 'round-rectangle', color: '#4e79a7' },
  Fund: { shape: 'diamond', color: '#59a14f' },
  Government: { shape: 'hexagon', color: '#e15759' },
  Person: { shape: 'ellipse', color: '#b07aa1' },
  Consortium: { shape: 'round-rectangle', color: '#f28e2b' },
};
const TYPE_STYLE = {
  INVESTS_IN: { color: '#2e7d32', line: 'solid', width: 3 },
  MEMBER_OF: { color: '#f28e2b', line: 'dashed', width: 2 },
  SUPPLIES: { color: '#1f77b4', line: 'dotted', width: 3 },
  CONTROLS: { color: '#c62828', line: 'solid', width: 4 },
  OWNS: { color: '#6a1b9a', line: 'solid', width: 3 },
  FOUNDED: { color: '#8d6e63', line: 'dashed', width: 1.5 },
  HOLDS_POSITION: { color: '#757575', line: 'dotted', width: 1.5 },
};
const FALLBACK_TYPE = { color: '#9e9e9e', line: 'solid', width: 1.5 };
const FIRST_MONTH = { year: 2015, month: 1 };

const state = {
  cy: null,
  maxElements: 500,
  asOf: null, // 'YYYY-MM' or null for every date
  leftOut: 0,
  leftBy: new Map(), // expanded entity id -> how many of its ties and neighbours were left out
  note: '',
  hidden: { types: new Set(), kinds: new Set(), statuses: new Set() },
  paths: [],
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'onclick') node.addEventListener('click', v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const type = response.headers.get('content-type') || '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error = new Error((data.error && data.error.message) || String(data));
    error.detail = data.error;
    throw error;
  }
  return data;
}

function asOfQuery() {
  return state.asOf ? `as_of=${encodeURIComponent(state.asOf)}` : '';
}

// ----- elements ------------------------------------------------------------------------

function shortLabel(edge) {
  // "invests-in $8.9B, 9.9%, 2025-08-22" drawn as "$8.9B, 9.9%, 2025-08-22": the line's style
  // already says the type.
  const label = edge.label || '';
  return label.startsWith(edge.name) ? label.slice(edge.name.length).replace(/^,?\s*/, '') : label;
}

function nodeData(node) {
  const kind = node.labels[0] || 'Entity';
  return {
    id: node.id, key: node.key, name: node.name, kind,
    consortium: kind === 'Consortium' ? 'yes' : 'no',
  };
}

function edgeData(edge) {
  const p = edge.properties || {};
  return {
    id: edge.id, source: edge.source, target: edge.target, type: edge.type, name: edge.name,
    label: edge.label, short: shortLabel(edge), status: p.status || 'none', date: p.date || '',
    standing: edge.standing,
  };
}

/// Adds what an answer lists, within the bound; returns how many were left out. A tie comes
/// with the entities at its ends or not at all, so that the bound never leaves a firm on the
/// map without the tie that brought it; entities with no tie in the answer come last.
function addElements(answer) {
  const cy = state.cy;
  let left = (answer.left_out ? answer.left_out.nodes + answer.left_out.edges : 0);
  const listed = new Map((answer.nodes || []).map((n) => [n.id, n]));
  const added = new Set();
  cy.batch(() => {
    const room = (n) => cy.elements().length + n <= state.maxElements;
    for (const edge of answer.edges || []) {
      if (cy.getElementById(edge.id).nonempty()) continue;
      const ends = [...new Set([edge.source, edge.target])].filter((id) => cy.getElementById(id).empty());
      if (ends.some((id) => !listed.has(id)) || !room(ends.length + 1)) { left += 1; continue; }
      for (const id of ends) { cy.add({ group: 'nodes', data: nodeData(listed.get(id)) }); added.add(id); }
      cy.add({ group: 'edges', data: edgeData(edge) });
    }
    for (const node of answer.nodes || []) {
      if (added.has(node.id) || cy.getElementById(node.id).nonempty()) continue;
      if (!room(1)) { left += 1; continue; }
      cy.add({ group: 'nodes', data: nodeData(node) });
    }
  });
  state.leftOut = left;
  return left;
}

/// Consortia are groups: a firm that is a member of exactly one consortium on the map is drawn
/// inside it; a member of several stays between them, its member-of ties drawn to each.
/// Returns whether any firm changed group.
function regroup() {
  const cy = state.cy;
  let changed = false;
  cy.batch(() => {
    cy.nodes('[consortium = "no"]').forEach((node) => {
      const groups = node.connectedEdges('[type = "MEMBER_OF"]')
        .filter((e) => e.source().id() === node.id() && e.target().data('consortium') === 'yes')
        .map((e) => e.target().id());
      const unique = [...new Set(groups)];
      const parent = unique.length === 1 ? unique[0] : null;
      if ((node.data('parent') || null) !== parent) { node.move({ parent }); changed = true; }
    });
    cy.edges('[type = "MEMBER_OF"]').forEach((e) => {
      e.toggleClass('implied', e.source().data('parent') === e.target().id());
    });
  });
  return changed;
}

function applyFilters() {
  const cy = state.cy;
  const h = state.hidden;
  cy.batch(() => {
    cy.nodes().forEach((n) => n.toggleClass('filtered', h.kinds.has(n.data('kind'))));
    cy.edges().forEach((e) => e.toggleClass('filtered',
      h.types.has(e.data('type')) || h.statuses.has(e.data('status'))
      || e.source().hasClass('filtered') || e.target().hasClass('filtered')));
  });
  buildStatusFilter();
  showList();
}

/// The force-directed and concentric layouts' options (the hierarchical one is layered()), tuned for maps of a few to a few hundred entities: entities stay
/// 30 px across with their names legible at the zoom the map is fitted to, and a consortium's
/// box stays tight around its members.
const LAYOUTS = {
  // fCoSE (force-directed, made for compound graphs): members pulled into their group, groups
  // and loose firms kept apart by repulsion.
  fcose: {
    name: 'fcose', quality: 'proof', randomize: true, animate: false, nodeDimensionsIncludeLabels: true,
    packComponents: true, nodeRepulsion: 9000, idealEdgeLength: 110, edgeElasticity: 0.4,
    nestingFactor: 0.15, gravity: 0.3, gravityCompound: 1.5, gravityRangeCompound: 1.2,
    numIter: 3000, tile: true, tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
    nodeSeparation: 90, uniformNodeDimensions: false,
  },
  concentric: { name: 'concentric', avoidOverlap: true, minNodeSpacing: 30, nodeDimensionsIncludeLabels: true, concentric: (n) => n.degree(), levelWidth: () => 3 },
};
/// The zoom a fitted map never goes past, so that a map of three firms is not drawn huge.
const MAX_FIT_ZOOM = 1.4;
/// The most units the hierarchical layout sets on one line of a level.
const MAX_PER_LINE = 12;

function layout() {
  const cy = state.cy;
  const name = $('layout').value;
  const shown = cy.elements(':visible');
  if (name === 'breadthfirst') { layered(shown); fitView(); return; }
  const options = { ...(LAYOUTS[name] || { name }), fit: false, padding: 30 };
  // concentric places each node, a group's box included: place the entities only and let each
  // group's box follow its members.
  const placed = name === 'fcose' ? shown : shown.not(':parent');
  const run = placed.layout(options);
  run.one('layoutstop', () => fitView());
  run.run();
}

/// The hierarchical layout, with groups kept whole: each group's members are set out in a
/// compact grid, then the groups and the loose entities are placed in levels (a group standing
/// as one unit the size of its box, with its members' ties), every tie pointing down where the
/// ties have no cycle, and the members follow their group. Cytoscape's breadthfirst cannot do
/// this: it sizes every cell for the largest group and sets a group's members apart by their
/// depths, and its `maximal` option fails on these graphs.
function layered(shown) {
  const cy = state.cy;
  const groups = shown.nodes(':parent');
  const unit = new Map(); // entity id -> the id of the node that stands for it
  const elements = [];
  const gap = 70;
  groups.forEach((g) => {
    const members = g.children(':visible');
    const columns = Math.ceil(Math.sqrt(members.length));
    const rows = Math.ceil(members.length / columns);
    const cellW = Math.max(...members.map((m) => m.boundingBox({ includeEdges: false }).w)) + 25;
    const cellH = 70;
    members.sort((a, b) => a.data('name').localeCompare(b.data('name'))).forEach((m, i) => {
      m.position({ x: (i % columns) * cellW, y: Math.floor(i / columns) * cellH });
      unit.set(m.id(), g.id());
    });
    elements.push({ data: { id: g.id(), w: columns * cellW + 30, h: rows * cellH + 40 } });
  });
  shown.nodes(':childless').forEach((n) => {
    if (unit.has(n.id())) return;
    unit.set(n.id(), n.id());
    const b = n.boundingBox({ includeEdges: false });
    elements.push({ data: { id: n.id(), w: b.w + 20, h: b.h + 10 } });
  });
  // The ties between units, less those that close a cycle (found depth first), so that the
  // levels can be pushed down until every tie points down.
  const out = new Map();
  shown.edges().forEach((e) => {
    const s = unit.get(e.source().id()); const t = unit.get(e.target().id());
    if (!s || !t || s === t) return;
    if (!out.has(s)) out.set(s, new Set());
    out.get(s).add(t);
  });
  const mark = new Map(); // 1 on the stack, 2 done
  const visit = (u) => {
    mark.set(u, 1);
    for (const t of out.get(u) || []) {
      if (mark.get(t) === 1) { out.get(u).delete(t); continue; }
      if (!mark.has(t)) visit(t);
    }
    mark.set(u, 2);
  };
  for (const { data } of [...elements]) if (!mark.has(data.id)) visit(data.id);
  // Each unit's level: the longest chain of ties above it, so that every tie points down.
  const into = new Map();
  out.forEach((targets, s) => targets.forEach((t) => { if (!into.has(t)) into.set(t, []); into.get(t).push(s); }));
  const level = new Map();
  const levelOf = (u) => {
    if (!level.has(u)) level.set(u, Math.max(-1, ...(into.get(u) || []).map(levelOf)) + 1);
    return level.get(u);
  };
  const size = new Map(elements.map(({ data }) => [data.id, data]));
  const rows = [];
  size.forEach((_, u) => { const l = levelOf(u); (rows[l] = rows[l] || []).push(u); });
  // Along a level, each unit under the mean place of the units pointing at it; then set out
  // left to right with their own widths.
  const place = new Map();
  let y = 0;
  rows.forEach((row) => {
    const key = (u) => {
      const above = (into.get(u) || []).filter((a) => place.has(a));
      return above.length ? above.reduce((sum, a) => sum + place.get(a).x, 0) / above.length : 0;
    };
    row.sort((a, b) => key(a) - key(b) || a.localeCompare(b));
    // A wide level (a hub's hundred ties) is folded onto several lines.
    for (let i = 0; i < row.length; i += MAX_PER_LINE) {
      const line = row.slice(i, i + MAX_PER_LINE);
      const width = line.reduce((sum, u) => sum + size.get(u).w, 0) + gap * (line.length - 1);
      const height = Math.max(...line.map((u) => size.get(u).h));
      let x = -width / 2;
      line.forEach((u) => { place.set(u, { x: x + size.get(u).w / 2, y: y + height / 2 }); x += size.get(u).w + gap; });
      y += height + gap * (i + MAX_PER_LINE < row.length ? 0.8 : 1.6);
    }
  });
  cy.batch(() => {
    groups.forEach((g) => {
      const members = g.children(':visible');
      const box = members.boundingBox({ includeEdges: false, includeLabels: false });
      const at = place.get(g.id());
      const dx = at.x - (box.x1 + box.x2) / 2; const dy = at.y - (box.y1 + box.y2) / 2;
      members.forEach((m) => { const p = m.position(); m.position({ x: p.x + dx, y: p.y + dy }); });
    });
    shown.nodes(':childless').forEach((n) => {
      if (unit.get(n.id()) === n.id()) n.position(place.get(n.id()));
    });
  });
}

/// Fits the map to the canvas, never zooming in past MAX_FIT_ZOOM.
function fitView() {
  const cy = state.cy;
  const shown = cy.elements(':visible');
  if (shown.empty()) return;
  cy.fit(shown, 30);
  if (cy.zoom() > MAX_FIT_ZOOM) {
    cy.zoom(MAX_FIT_ZOOM);
    cy.center(shown);
  }
}

function status() {
  const cy = state.cy;
  const nodes = cy.nodes().length;
  const ties = cy.edges().length;
  let text = `${nodes} ${nodes === 1 ? 'entity' : 'entities'}, ${ties} ${ties === 1 ? 'tie' : 'ties'} on the map`;
  // What every expansion on the map left out, not only the last one.
  const left = Math.max(state.leftOut, [...state.leftBy.values()].reduce((a, b) => a + b, 0));
  if (left > 0) text += `; ${left.toLocaleString('en')} more left out (the map draws at most ${state.maxElements} elements: filter, or expand fewer firms)`;
  if (state.note) text += ` — ${state.note}`;
  $('status').textContent = text;
}

/// The list of what is on the map, in the page as well as on the canvas.
function showList() {
  const list = $('shown');
  list.replaceChildren();
  const cy = state.cy;
  cy.nodes().sort((a, b) => a.data('name').localeCompare(b.data('name'))).forEach((n) => {
    list.append(el('li', {
      'data-id': n.id(), 'data-key': n.data('key'), 'data-kind': n.data('kind'),
      'data-parent': n.data('parent') || '', 'data-group': n.isParent() ? 'true' : 'false',
      'data-filtered': n.hasClass('filtered') ? 'true' : 'false',
    }, el('button', { type: 'button', onclick: () => select(n) }, n.data('name')), ` (${n.data('kind')}${n.isParent() ? `, group of ${n.children().length}` : ''})`));
  });
  cy.edges().forEach((e) => {
    list.append(el('li', {
      class: 'tie', 'data-id': e.id(), 'data-type': e.data('type'), 'data-date': e.data('date'),
      'data-from': e.source().data('key'), 'data-to': e.target().data('key'),
    }, el('button', { type: 'button', onclick: () => select(e) },
      `${e.source().data('name')} → ${e.target().data('name')}`), `: ${e.data('label')}`));
  });
  status();
}

// ----- loading ---------------------------------------------------------------------------

/// Redraws the ties among the nodes on the map as they stood on the chosen date; returns
/// whether any firm changed group (its box then no longer fits the places laid out).
async function refreshTies() {
  const cy = state.cy;
  const nodes = cy.nodes().map((n) => n.id());
  if (nodes.length === 0) { state.note = ''; showList(); return false; }
  const answer = await api('/api/ties', { nodes, as_of: state.asOf });
  let selectedGone = false;
  cy.batch(() => {
    const keep = new Set((answer.edges || []).map((e) => e.id));
    const gone = cy.edges().filter((e) => !keep.has(e.id()));
    selectedGone = gone.some((e) => e.selected());
    gone.remove();
  });
  if (selectedGone) {
    $('panel').prepend(el('p', { class: 'error', id: 'not-on-date' }, `This tie does not hold as of ${state.asOf}: it is hidden from the map.`));
  }
  addElements({ nodes: [], edges: answer.edges, left_out: answer.left_out });
  state.note = answer.note || '';
  cy.nodes().forEach((n) => n.toggleClass('alone', state.asOf !== null && n.connectedEdges().length === 0 && !n.isParent()));
  const changed = regroup();
  applyFilters();
  return changed;
}

async function expand(id) {
  const query = asOfQuery();
  const answer = await api(`/api/neighbours/${encodeURIComponent(id)}${query ? `?${query}` : ''}`);
  addElements(answer);
  const left = state.leftOut;
  await refreshTies();
  state.leftOut = Math.max(left, state.leftOut);
  state.leftBy.set(id, state.leftOut);
  layout();
  status();
  return answer;
}

async function pick(match) {
  $('matches').replaceChildren();
  $('search').value = match.name;
  addElements({ nodes: [match], edges: [] });
  await refreshTies();
  layout();
  const node = state.cy.getElementById(match.id);
  select(node);
}

// ----- the side panel ----------------------------------------------------------------------

function formatValue(key, value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && /amount|usd|capital/.test(key)) {
    const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
    for (const [size, unit] of units) if (Math.abs(value) >= size) return `${key === 'amount' ? '' : '$'}${+(value / size).toFixed(2)}${unit}`;
  }
  if (key === 'stake_pct' && typeof value === 'number') return `${value}%`;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function propertiesTable(properties) {
  const rows = Object.entries(properties).filter(([k]) => k !== 'sources')
    .map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', { 'data-key': k }, formatValue(k, v))));
  return el('table', { class: 'properties' }, ...rows);
}

function sourcesList(sources) {
  if (!sources || sources.length === 0) return el('p', { class: 'muted' }, 'No source cited.');
  return el('ol', { class: 'sources' }, ...sources.map((s) => {
    if (s.unknown) return el('li', {}, `${s.id} (not a source this graph defines)`);
    const when = s.date ? ` (${s.date})` : ' (undated)';
    const link = s.url
      ? el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', 'data-source': s.id }, s.title)
      : el('a', { href: `#source-${s.id}`, 'data-source': s.id, title: 'no URL in the data: shows the source record' }, s.title);
    if (!s.url) link.addEventListener('click', (ev) => { ev.preventDefault(); showSource(s); });
    return el('li', {}, link, `, ${s.publisher}${when}`, s.url ? null : el('span', { class: 'muted' }, ' — no URL recorded'));
  }));
}

function showSource(source) {
  const panel = $('panel');
  panel.replaceChildren(el('h3', {}, source.title), propertiesTable(source),
    el('p', { class: 'muted' }, 'The data gives no URL for this source; its record is all there is.'));
}

async function select(element) {
  const cy = state.cy;
  cy.elements().unselect();
  element.select();
  const panel = $('panel');
  const query = asOfQuery();
  try {
    if (element.isNode()) {
      const node = await api(`/api/entity/${element.id()}${query ? `?${query}` : ''}`);
      panel.replaceChildren(
        el('h3', { id: 'panel-title' }, node.name),
        el('p', { class: 'muted' }, `${node.labels.join(', ')} · ${node.degree} ties in the graph`),
        el('div', {},
          el('button', { type: 'button', id: 'expand', onclick: () => expand(element.id()) }, 'Expand ties'), ' ',
          el('button', { type: 'button', onclick: () => { $('path-from').value = node.name; } }, 'Path from'), ' ',
          el('button', { type: 'button', onclick: () => { $('path-to').value = node.name; } }, 'Path to'), ' ',
          el('button', { type: 'button', onclick: () => { element.remove(); regroup(); showList(); } }, 'Remove')),
        propertiesTable(node.properties),
        el('h3', {}, 'Sources'), sourcesList(node.sources));
    } else {
      const edge = await api(`/api/relationship/${element.id()}${query ? `?${query}` : ''}`);
      panel.replaceChildren(
        el('h3', { id: 'panel-title' }, `${edge.from_name} → ${edge.to_name}`),
        el('p', { class: 'label' }, edge.label),
        el('p', { class: 'muted' }, `${edge.type}${edge.standing !== 'holds' ? ` · ${edge.standing} on the date shown` : ''}`),
        propertiesTable(edge.properties),
        el('h3', {}, 'Sources'), sourcesList(edge.sources));
    }
  } catch (e) {
    panel.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

// ----- search, filters, time, paths, query, export ---------------------------------------

let searchTimer = null;
function onSearch() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = $('search').value.trim();
    const list = $('matches');
    if (!q) { list.replaceChildren(); return; }
    const found = await api(`/api/search?q=${encodeURIComponent(q)}&limit=12`);
    list.replaceChildren(...found.matches.map((m) => el('li', { role: 'option' },
      el('button', { type: 'button', 'data-id': m.id, onclick: () => pick(m) }, m.name,
        m.matched !== m.name ? el('span', { class: 'muted' }, ` (${m.matched})`) : null,
        el('span', { class: 'muted' }, ` · ${m.labels.join(', ')}`)))));
    if (found.matches.length === 0) list.append(el('li', { class: 'muted' }, 'no entity has that name or alias'));
  }, 150);
}

function checkboxes(container, values, hidden, label) {
  container.replaceChildren(...values.map((v) => {
    const box = el('input', { type: 'checkbox', value: v });
    box.checked = !hidden.has(v);
    box.addEventListener('change', () => { if (box.checked) hidden.delete(v); else hidden.add(v); applyFilters(); });
    return el('label', {}, box, ` ${label(v)}`);
  }));
}

function buildStatusFilter() {
  const statuses = [...new Set(state.cy.edges().map((e) => e.data('status')))].sort();
  const container = $('filter-statuses');
  const shown = [...container.querySelectorAll('input')].map((i) => i.value);
  if (shown.join() !== statuses.join()) checkboxes(container, statuses, state.hidden.statuses, (s) => s);
}

function months() {
  const now = new Date();
  const out = [];
  for (let y = FIRST_MONTH.year, m = FIRST_MONTH.month; y < now.getFullYear() || (y === now.getFullYear() && m <= now.getMonth() + 1);) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1; if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

function setupTime() {
  const slider = $('asof');
  const list = months();
  slider.max = String(list.length); // the last position is "every date"
  slider.value = slider.max;
  const label = () => {
    const i = Number(slider.value);
    state.asOf = i >= list.length ? null : list[i];
    $('asof-label').textContent = state.asOf || 'every date';
  };
  slider.addEventListener('input', label);
  // A firm that joins or leaves a group on the date chosen moves the boxes: lay out again.
  slider.addEventListener('change', async () => { label(); if (await refreshTies()) layout(); });
  label();
}

async function findPaths(event) {
  event.preventDefault();
  const from = $('path-from').value.trim();
  const to = $('path-to').value.trim();
  const k = $('path-k').value || '1';
  const panel = $('panel');
  try {
    const query = asOfQuery();
    const found = await api(`/api/paths?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&k=${k}${query ? `&${query}` : ''}`);
    addElements(found);
    await refreshTies();
    layout();
    state.cy.elements().removeClass('path');
    for (const p of found.paths) for (const id of [...p.nodes, ...p.edges]) state.cy.getElementById(id).addClass('path');
    panel.replaceChildren(el('h3', { id: 'panel-title' }, `Paths from ${from} to ${to}`),
      found.paths.length === 0 ? el('p', {}, found.message) : null,
      ...found.paths.map((p, i) => el('div', { class: 'path-hops' },
        el('p', {}, `${i + 1}. ${p.hops} hop${p.hops === 1 ? '' : 's'}: ${p.text}`), el('pre', {}, p.explained))));
  } catch (e) {
    panel.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

function cell(value) {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    if (value.labels && value.properties) return `(${value.properties.name || value.properties.id || ':' + value.labels.join(':')})`;
    if (value.type && value.properties) return `[:${value.type}]`;
    if (value.nodes && value.relationships) return value.nodes.map((n) => n.properties.name || n.properties.id).join(' – ');
    return JSON.stringify(value);
  }
  return String(value);
}

async function runQuery(draw) {
  const results = $('results');
  try {
    const answer = await api('/api/query', { query: $('query').value, as_of: state.asOf, graph: draw });
    const head = el('tr', {}, ...answer.columns.map((c) => el('th', {}, c)));
    const rows = answer.rows.slice(0, 200).map((r) => el('tr', {}, ...r.map((v) => el('td', {}, cell(v)))));
    results.replaceChildren(el('p', { class: 'muted' }, `${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'}${answer.rows.length > 200 ? ' (the first 200 shown)' : ''}`),
      ...(answer.notes || []).map((n) => el('p', { class: 'muted' }, n)),
      el('table', {}, head, ...rows));
    if (draw && answer.graph) {
      addElements(answer.graph);
      await refreshTies();
      layout();
    }
  } catch (e) {
    const d = e.detail || {};
    results.replaceChildren(el('div', { class: 'error' }, el('p', {}, d.line ? `line ${d.line}, column ${d.column}: ${e.message}` : e.message),
      d.text ? el('pre', {}, d.text) : null));
  }
}

function download(name, blob) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c]));
}

/// The view as SVG, drawn from the positions on the canvas: groups, ties with their labels,
/// entities with their shapes' colours.
function toSvg() {
  const cy = state.cy;
  const box = cy.elements(':visible').boundingBox();
  const pad = 20;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${box.x1 - pad} ${box.y1 - pad} ${box.w + 2 * pad} ${box.h + 2 * pad}" font-family="sans-serif" font-size="11">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'];
  cy.nodes(':visible:parent').forEach((n) => {
    const b = n.boundingBox();
    parts.push(`<rect x="${b.x1}" y="${b.y1}" width="${b.w}" height="${b.h}" rx="8" fill="#fdf1e4" stroke="#f28e2b" stroke-dasharray="6 3"/><text x="${b.x1 + 6}" y="${b.y1 + 13}" font-weight="bold">${escapeXml(n.data('name'))}</text>`);
  });
  cy.edges(':visible').forEach((e) => {
    const s = e.sourceEndpoint(); const t = e.targetEndpoint(); const m = e.midpoint();
    const style = TYPE_STYLE[e.data('type')] || FALLBACK_TYPE;
    const dash = style.line === 'dashed' ? ' stroke-dasharray="6 4"' : style.line === 'dotted' ? ' stroke-dasharray="2 3"' : '';
    parts.push(`<line x1="${s.x}" y1="${s.y}" x2="${t.x}" y2="${t.y}" stroke="${style.color}" stroke-width="${style.width}"${dash} marker-end="url(#arrow)"/>`);
    if (e.data('short')) parts.push(`<text x="${m.x}" y="${m.y - 3}" text-anchor="middle" fill="#333">${escapeXml(e.data('short'))}</text>`);
  });
  cy.nodes(':visible:childless').forEach((n) => {
    const p = n.position(); const style = KIND_STYLE[n.data('kind')] || KIND_STYLE.Company;
    parts.push(`<rect x="${p.x - 12}" y="${p.y - 12}" width="24" height="24" rx="${n.data('kind') === 'Person' ? 12 : 4}" fill="${style.color}"/><text x="${p.x}" y="${p.y + 26}" text-anchor="middle">${escapeXml(n.data('name'))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

async function exportDot() {
  const cy = state.cy;
  const dot = await api('/api/export/dot', {
    nodes: cy.nodes(':visible').map((n) => n.id()), edges: cy.edges(':visible').map((e) => e.id()),
    as_of: state.asOf, title: 'Alliances',
  });
  download('alliances.dot', new Blob([dot], { type: 'text/vnd.graphviz' }));
}

// ----- start -------------------------------------------------------------------------------

function style() {
  const s = [
    { selector: 'node', style: { label: 'data(name)', 'font-size': 12, 'text-valign': 'bottom', 'text-margin-y': 4, width: 30, height: 30, 'border-width': 1, 'border-color': '#fff', 'text-background-color': '#fff', 'text-background-opacity': 0.7, 'text-background-padding': 1, 'min-zoomed-font-size': 7 } },
    { selector: 'node:parent', style: { shape: 'round-rectangle', 'background-color': '#fdf1e4', 'background-opacity': 0.6, 'border-color': '#f28e2b', 'border-width': 2, 'border-style': 'dashed', 'text-valign': 'top', 'text-halign': 'center', 'font-weight': 'bold', 'font-size': 13, padding: 14 } },
    { selector: 'edge', style: { 'curve-style': 'bezier', 'control-point-step-size': 70, 'target-arrow-shape': 'triangle', label: 'data(short)', 'font-size': 10, color: '#24292f', 'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 2, 'text-background-shape': 'round-rectangle', 'min-zoomed-font-size': 7 } },
    { selector: '.filtered', style: { display: 'none' } },
    { selector: '.alone', style: { opacity: 0.35 } },
    { selector: ':selected', style: { 'overlay-color': '#0969da', 'overlay-opacity': 0.2, 'overlay-padding': 6 } },
    { selector: '.path', style: { 'underlay-color': '#ffd33d', 'underlay-opacity': 0.6, 'underlay-padding': 5 } },
    { selector: 'edge[standing = "ended"], edge[status = "cancelled"]', style: { opacity: 0.45 } },
  ];
  for (const [kind, k] of Object.entries(KIND_STYLE)) s.splice(1, 0, { selector: `node[kind = "${kind}"]`, style: { shape: k.shape, 'background-color': k.color } });
  for (const [type, t] of Object.entries(TYPE_STYLE)) s.push({ selector: `edge[type = "${type}"]`, style: { 'line-color': t.color, 'target-arrow-color': t.color, 'line-style': t.line, width: t.width } });
  // Later rules win in Cytoscape: keep the implied and filtered rules last. A member's tie to
  // the group it is drawn inside is said by the box: it is listed, not drawn.
  s.push({ selector: 'edge.implied', style: { display: 'none' } }, { selector: '.filtered', style: { display: 'none' } });
  return s;
}

async function start() {
  state.cy = cytoscape({ container: $('cy'), style: style(), wheelSensitivity: 0.3, minZoom: 0.02, maxZoom: 4 });
  window.alliancesMap = state; // for scripts and tests driving the page
  const cy = state.cy;
  cy.on('tap', 'node, edge', (ev) => select(ev.target));
  cy.on('dbltap', 'node', (ev) => expand(ev.target.id()));
  $('search').addEventListener('input', onSearch);
  $('layout').addEventListener('change', layout);
  $('path-form').addEventListener('submit', findPaths);
  $('run').addEventListener('click', () => runQuery(false));
  $('run-map').addEventListener('click', () => runQuery(true));
  $('export-png').addEventListener('click', () => download('alliances.png', cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' })));
  $('export-svg').addEventListener('click', () => download('alliances.svg', new Blob([toSvg()], { type: 'image/svg+xml' })));
  $('export-dot').addEventListener('click', exportDot);
  $('clear').addEventListener('click', () => { cy.elements().remove(); state.leftOut = 0; state.leftBy.clear(); showList(); });
  setupTime();
  try {
    const schema = await api('/api/schema');
    state.maxElements = schema.server.max_elements;
    const types = Object.keys(schema.types).sort();
    checkboxes($('filter-types'), types, state.hidden.types, (t) => {
      const def = schema.relationship_types.find((r) => r.type === t);
      return def ? def.name : t;
    });
    checkboxes($('filter-kinds'), Object.keys(schema.labels).sort(), state.hidden.kinds, (k) => k);
    document.body.dataset.ready = 'true';
  } catch (e) {
    $('status').textContent = `The server did not answer: ${e.message}`;
  }
}

document.addEventListener('DOMContentLoaded', start);
