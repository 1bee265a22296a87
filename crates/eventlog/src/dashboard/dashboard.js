// okra-eventlog dashboard. Stored events are untrusted: everything from them
// reaches the page through textContent or attribute values set from script,
// never as HTML (and the page's CSP forbids inline script besides).
'use strict';

const $ = (id) => document.getElementById(id);
const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const timeFormat = new Intl.DateTimeFormat(undefined, {
  timeZone: tz, year: 'numeric', month: 'short', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3,
});

const state = {
  cursor: null,      // next page, or null
  filters: null,     // URLSearchParams of the current search
  selected: new Set(),
  shown: 0,
  loading: false,
  generation: 0,     // bumped by every new search
};

// Bidirectional controls (and invisible marks) can make an id read
// differently from what it is: "cust-\u202E12" shows as "cust-21". Stored
// text is shown with each of them spelled out, e.g. [U+202E].
const INVISIBLE = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** Text with bidi controls and invisible marks made visible. */
function visible(text) {
  return String(text).replace(INVISIBLE,
    (c) => `[U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** A new element with text content (never HTML), controls made visible. */
function el(tag, props = {}, text) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  if (text !== undefined) node.textContent = visible(text);
  return node;
}

function currentFilters() {
  const p = new URLSearchParams();
  const q = $('q').value.trim();
  if (q) p.set('q', q);
  const range = $('range').value;
  if (range === 'custom') {
    if ($('from').value) p.set('from', $('from').value);
    if ($('to').value) p.set('to', $('to').value);
  } else if (range) {
    p.set('range', range);
  }
  p.set('tz', tz);
  return p;
}

function setStatus(text, isError = false) {
  const s = $('status');
  s.textContent = text;
  s.className = isError ? 'error' : 'muted';
}

function showLogin(message = '') {
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('token').focus();
}

function showApp() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
}

function updateSelection() {
  const n = state.selected.size;
  $('export-selected').disabled = n === 0;
  $('export-selected').textContent = `Export selected (${n})`;
  const boxes = document.querySelectorAll('input.select-event');
  $('select-all').checked = boxes.length > 0 && [...boxes].every((b) => b.checked);
}

function setChecked(box, on) {
  box.checked = on;
  if (on) state.selected.add(box.dataset.eventId);
  else state.selected.delete(box.dataset.eventId);
}

function eventRow(ev) {
  const tr = el('tr', { className: 'event' });
  tr.dataset.eventId = ev.event_id;
  const pick = el('td', { className: 'pick' });
  const box = el('input', { type: 'checkbox', className: 'select-event' });
  box.dataset.eventId = ev.event_id;
  box.setAttribute('aria-label', `Select ${ev.event_name} at ${ev.event_time}`);
  box.checked = state.selected.has(ev.event_id);
  box.addEventListener('change', () => { setChecked(box, box.checked); updateSelection(); });
  pick.append(box);
  const when = new Date(ev.event_time);
  const time = el('td', { className: 'time', title: ev.event_time },
    Number.isNaN(when.getTime()) ? ev.event_time : timeFormat.format(when));
  const err = el('td', { className: ev.withError ? 'error-yes' : '' }, ev.withError ? 'true' : 'false');
  const data = el('td', { className: 'data' });
  const code = el('code', {}, JSON.stringify(ev.event_data));
  code.addEventListener('click', () => code.classList.toggle('open'));
  data.append(code);
  tr.append(pick, el('td', { className: 'name' }, ev.event_name), time,
    el('td', { className: 'screen' }, ev.event_screen ?? '—'), err, data);
  return tr;
}

function sessionBody(sessionId, events) {
  const body = el('tbody', { className: 'session-group' });
  body.dataset.sessionId = sessionId;
  const head = el('tr', { className: 'session' });
  const pick = el('th', { className: 'pick' });
  const box = el('input', { type: 'checkbox', className: 'select-session' });
  box.setAttribute('aria-label', `Select all events of session ${visible(sessionId)}`);
  box.addEventListener('change', () => {
    body.querySelectorAll('input.select-event').forEach((b) => setChecked(b, box.checked));
    updateSelection();
  });
  pick.append(box);
  const label = el('th', { colSpan: 5 }, `Session ${sessionId}`);
  const tracking = events.map((e) => e.event_data && e.event_data.tracking_id).find((t) => typeof t === 'string');
  const count = `${events.length} event${events.length === 1 ? '' : 's'}`;
  label.append(el('span', { className: 'ids' }, tracking ? `tracking ${tracking} · ${count}` : count));
  const timeline = el('button', { type: 'button', className: 'open-timeline' }, 'Timeline');
  timeline.addEventListener('click', () => openTimeline(sessionId));
  label.append(timeline);
  const erase = el('button', { type: 'button', className: 'danger delete-session' }, 'Delete session');
  erase.addEventListener('click', () => confirmDelete(
    `Delete every event of session ${visible(sessionId)}?`,
    new URLSearchParams({ session_id: sessionId })));
  label.append(erase);
  head.append(pick, label);
  body.append(head);
  for (const ev of events) body.append(eventRow(ev));
  return body;
}

function render(events) {
  // A grouped page holds whole sessions, each once, with its events in order.
  const groups = new Map();
  for (const ev of events) {
    if (!groups.has(ev.session_id)) groups.set(ev.session_id, []);
    groups.get(ev.session_id).push(ev);
  }
  const table = $('events');
  for (const [sid, evs] of groups) table.append(sessionBody(sid, evs));
  state.shown += events.length;
}

async function api(path, init = {}) {
  const resp = await fetch(path, { credentials: 'same-origin', ...init });
  if (resp.status === 401) {
    showLogin('Enter the access token to continue.');
    throw new Error('unauthorized');
  }
  return resp;
}

async function load(reset) {
  // A new search supersedes one in flight (its answer is dropped); "load
  // more" waits for the current page.
  if (!reset && state.loading) return;
  const generation = reset ? ++state.generation : state.generation;
  state.loading = true;
  try {
    if (reset) {
      state.filters = currentFilters();
      // Deleting needs keywords (a session has its own button).
      $('delete-search').disabled = !state.filters.get('q');
      state.cursor = null;
      state.shown = 0;
      state.selected.clear();
      document.querySelectorAll('#events tbody').forEach((b) => b.remove());
      $('timeline').hidden = true;
      loadStats(new URLSearchParams(state.filters), generation);
      $('load-more').hidden = true;
    }
    const p = new URLSearchParams(state.filters);
    p.set('group', 'session');
    if (state.cursor) p.set('cursor', state.cursor);
    setStatus('Loading…');
    const resp = await api(`/api/events?${p}`);
    const body = await resp.json();
    if (generation !== state.generation) return;
    if (!resp.ok) {
      setStatus(body.error || `Error ${resp.status}`, true);
      return;
    }
    showApp();
    render(body.events);
    state.cursor = body.next_cursor;
    $('load-more').hidden = !state.cursor;
    $('empty').hidden = state.shown > 0;
    setStatus(`${state.shown} event${state.shown === 1 ? '' : 's'} shown${state.cursor ? ' (more available)' : ''}`);
    updateSelection();
  } catch (e) {
    if (e.message !== 'unauthorized' && generation === state.generation) {
      setStatus(`Could not load events: ${e.message}`, true);
    }
  } finally {
    if (generation === state.generation) state.loading = false;
  }
}

/**
 * Asks in the page's own dialog, then deletes what `params` selects
 * (DELETE /api/events) and reloads the search.
 */
function confirmDelete(question, params) {
  const dialog = $('confirm-delete');
  $('confirm-text').textContent = question;
  dialog.returnValue = '';
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'delete') return;
    setStatus('Deleting…');
    try {
      const resp = await api(`/api/events?${params}`, { method: 'DELETE' });
      const body = await resp.json();
      if (!resp.ok) {
        setStatus(body.error || `Error ${resp.status}`, true);
        return;
      }
      await load(true);
      setStatus(body.done === false
        ? `Deleted ${body.deleted} so far; the rest is being deleted in the background.`
        : `Deleted ${body.deleted} event${body.deleted === 1 ? '' : 's'}.`);
    } catch (e) {
      if (e.message !== 'unauthorized') setStatus(`Could not delete: ${e.message}`, true);
    }
  }, { once: true });
  dialog.showModal();
}

// ---- Charts: events over time and the screen funnel (GET /api/stats) ----

const SVG = 'http://www.w3.org/2000/svg';

/** A new SVG element with attributes (set one by one, never as markup). */
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function bucketLabel(start, hourly) {
  const d = new Date(start);
  return hourly
    ? new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(d)
    : new Intl.DateTimeFormat(undefined, { timeZone: tz, month: 'short', day: 'numeric' }).format(d);
}

function drawBars(buckets) {
  const box = $('chart-bars');
  box.replaceChildren();
  const total = buckets.reduce((n, b) => n + b.count, 0);
  $('bars-total').textContent = `${total} event${total === 1 ? '' : 's'}`;
  $('bars-total').dataset.total = String(total);
  if (buckets.length === 0) {
    box.append(el('p', { className: 'muted' }, 'No events in this range.'));
    return;
  }
  const hourly = buckets.length > 1
    && new Date(buckets[1].start) - new Date(buckets[0].start) <= 3_600_000;
  const W = 720; const H = 160; const pad = 22;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const step = W / buckets.length;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H + pad}`, role: 'img', class: 'bars',
    'aria-label': `Events per ${hourly ? 'hour' : 'day'}` });
  buckets.forEach((b, i) => {
    const h = Math.round((b.count / max) * (H - 14));
    const g = svg('g', { class: 'bar' });
    g.dataset.start = b.start;
    g.dataset.count = String(b.count);
    g.append(svg('rect', { x: (i * step + 1).toFixed(1), y: H - h, width: Math.max(1, step - 2).toFixed(1), height: h }));
    g.append(svg('title', {}, `${bucketLabel(b.start, hourly)}${hourly ? '' : ''}: ${b.count}`));
    if (b.count > 0 && step >= 14) {
      g.append(svg('text', { x: (i * step + step / 2).toFixed(1), y: H - h - 3, class: 'count' }, String(b.count)));
    }
    chart.append(g);
  });
  // A few time labels along the bottom.
  const every = Math.max(1, Math.ceil(buckets.length / 8));
  buckets.forEach((b, i) => {
    if (i % every === 0) {
      chart.append(svg('text', { x: (i * step + 2).toFixed(1), y: H + 15, class: 'axis' }, bucketLabel(b.start, hourly)));
    }
  });
  box.append(chart);
}

function drawFunnel(funnel) {
  const box = $('chart-funnel');
  box.replaceChildren();
  const steps = funnel.filter((s) => s.sessions > 0);
  if (steps.length === 0) {
    box.append(el('p', { className: 'muted' }, 'No sessions reached a screen.'));
    return;
  }
  const max = Math.max(...steps.map((s) => s.sessions));
  const list = el('ol', { className: 'funnel' });
  steps.forEach((s, i) => {
    const li = el('li', { className: 'step' });
    li.dataset.screen = s.screen;
    li.dataset.sessions = String(s.sessions);
    const bar = svg('svg', { viewBox: '0 0 200 12', class: 'funnel-bar', 'aria-hidden': 'true', preserveAspectRatio: 'none' });
    bar.append(svg('rect', { x: 0, y: 0, height: 12, width: ((s.sessions / max) * 200).toFixed(1) }));
    li.append(el('span', { className: 'screen' }, s.screen), bar,
      el('span', { className: 'sessions' }, `${s.sessions} session${s.sessions === 1 ? '' : 's'}`));
    if (i > 0) {
      const prev = steps[i - 1].sessions;
      const drop = prev > 0 ? Math.round((1 - s.sessions / prev) * 100) : 0;
      const d = el('span', { className: 'drop' }, drop > 0 ? `−${drop}% from ${steps[i - 1].screen}` : (drop < 0 ? `+${-drop}%` : 'no drop'));
      d.dataset.drop = String(drop);
      li.append(d);
    }
    list.append(li);
  });
  box.append(list);
}

async function loadStats(filters, generation) {
  try {
    const resp = await api(`/api/stats?${filters}`);
    const body = await resp.json();
    if (generation !== state.generation) return;
    if (!resp.ok) {
      $('chart-bars').replaceChildren(el('p', { className: 'error' }, body.error || `Error ${resp.status}`));
      $('chart-funnel').replaceChildren();
      return;
    }
    drawBars(body.buckets);
    drawFunnel(body.funnel);
  } catch (e) {
    if (e.message !== 'unauthorized') $('chart-bars').replaceChildren(el('p', { className: 'error' }, `Could not load the charts: ${e.message}`));
  }
}

// ---- A session as a timeline ----

function duration(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

async function openTimeline(sessionId) {
  const panel = $('timeline');
  $('timeline-title').textContent = `Session ${visible(sessionId)}`;
  const list = $('timeline-events');
  list.replaceChildren();
  panel.hidden = false;
  // Every event of the session, whatever the current filter.
  const p = new URLSearchParams({ q: sessionId, group: 'session', limit: '100', tz });
  const resp = await api(`/api/events?${p}`);
  const body = await resp.json();
  if (!resp.ok) {
    list.append(el('li', { className: 'error' }, body.error || `Error ${resp.status}`));
    return;
  }
  const events = body.events.filter((e) => e.session_id === sessionId);
  let previous = null;
  for (const ev of events) {
    const li = el('li', { className: ev.withError ? 'tl-event with-error' : 'tl-event' });
    li.dataset.eventId = ev.event_id;
    const when = new Date(ev.event_time);
    if (previous !== null) {
      const gap = el('span', { className: 'gap' }, `+${duration(Math.max(0, when - previous))}`);
      gap.dataset.ms = String(when - previous);
      li.append(gap);
    }
    previous = when;
    li.append(el('span', { className: 'tl-screen' }, ev.event_screen ?? '—'),
      el('span', { className: 'tl-name' }, ev.event_name),
      el('span', { className: 'tl-time muted' }, Number.isNaN(when.getTime()) ? ev.event_time : timeFormat.format(when)));
    if (ev.withError) li.append(el('span', { className: 'tl-error' }, 'withError'));
    list.append(li);
  }
  $('timeline-summary').textContent = events.length > 1
    ? `${events.length} events over ${duration(new Date(events.at(-1).event_time) - new Date(events[0].event_time))}`
    : `${events.length} event${events.length === 1 ? '' : 's'}`;
  panel.scrollIntoView({ block: 'nearest' });
}

function download(query) {
  // A plain navigation to an attachment: the browser streams it to disk and
  // sends the session cookie; the page stays where it is.
  const a = el('a', { href: `/api/events/export?${query}`, download: '' });
  document.body.append(a);
  a.click();
  a.remove();
}

function init() {
  $('tz-label').textContent = `Times in ${tz}`;
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); load(true); });
  $('range').addEventListener('change', () => {
    const custom = $('range').value === 'custom';
    $('custom').hidden = !custom;
    if (!custom) load(true);
  });
  $('load-more').addEventListener('click', () => load(false));
  $('timeline-close').addEventListener('click', () => { $('timeline').hidden = true; });
  $('select-all').addEventListener('change', () => {
    const on = $('select-all').checked;
    document.querySelectorAll('input.select-event').forEach((b) => setChecked(b, on));
    document.querySelectorAll('input.select-session').forEach((b) => { b.checked = on; });
    updateSelection();
  });
  $('export-selected').addEventListener('click', () => {
    if (state.selected.size > 1000) {
      setStatus('Select at most 1000 events, or use "Export all matching".', true);
      return;
    }
    const p = new URLSearchParams({ ids: [...state.selected].join(',') });
    download(p.toString());
  });
  $('delete-search').addEventListener('click', () => {
    // What the table shows: the last search's words, dates and zone.
    const p = new URLSearchParams(state.filters || currentFilters());
    if (!p.get('q')) return;
    const when = $('range').selectedOptions[0]?.textContent || 'any time';
    confirmDelete(`Delete every event matching "${p.get('q')}" (${when.toLowerCase()})?`, p);
  });
  $('export-all').addEventListener('click', () => {
    const p = new URLSearchParams(state.filters || currentFilters());
    download(p.toString());
  });
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    const resp = await fetch('/api/session', {
      method: 'POST', credentials: 'same-origin', headers: { Authorization: `Bearer ${token}` },
    });
    if (resp.ok) {
      $('token').value = '';
      showApp();
      load(true);
    } else if (resp.status === 429) {
      const wait = resp.headers.get('Retry-After') || 'a few';
      $('login-error').textContent = `Too many wrong tokens; try again in ${wait} s.`;
    } else {
      $('login-error').textContent = 'That token is not right.';
    }
  });
  $('logout').addEventListener('click', async () => {
    await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' });
    showLogin();
  });
  const linkErrors = {
    '#wrong-token': 'The token in the link was not right.',
    '#wrong-code': 'That login link was already used or is not right. Enter the access token.',
  };
  if (linkErrors[location.hash]) {
    const message = linkErrors[location.hash];
    history.replaceState(null, '', '/');
    showLogin(message);
    return;
  }
  load(true);
}

init();
