// The live event panel: one row per event or callback, as it arrives.
// Everything from the SDK is shown with textContent (via h()), never as HTML.
import { h } from './dom.js';

function clock(iso) {
  const d = new Date(iso);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function json(value) {
  return JSON.stringify(value, (_, v) => (v instanceof Error ? { name: v.name, message: v.message } : v), 2);
}

function payload(label, value, open = false) {
  return h('details', { class: 'payload', open }, h('summary', {}, label), h('pre', {}, json(value)));
}

export function createPanel(root) {
  const session = h('p', { class: 'panel-session muted' }, 'No session yet: open the widget.');
  const count = h('span', { class: 'panel-count' }, '0');
  const list = h('ol', { class: 'panel-list', 'aria-live': 'polite' });
  const clear = h('button', {
    class: 'btn small',
    onclick: () => {
      list.replaceChildren();
      count.textContent = '0';
    },
  }, 'Clear');
  root.replaceChildren(
    h('header', { class: 'panel-header' }, h('h2', {}, 'Events ', count), clear),
    session,
    list,
  );

  function append(row) {
    // Keep following the newest row unless the reader scrolled up.
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(row);
    count.textContent = String(list.querySelectorAll('.row.event').length);
    if (atBottom) row.scrollIntoView({ block: 'end' });
  }

  return {
    // Called before buildWithOptions, whose USER_CONNECTING row comes next.
    sessionStarting(flow) {
      session.textContent = `Flow "${flow}"`;
      append(h('li', { class: 'row divider' }, `New session: ${flow}`));
    },

    sessionStarted(sessionId) {
      session.textContent += ` · session ${sessionId}`;
    },

    event(e) {
      append(
        h(
          'li',
          { class: `row event${e.withError ? ' with-error' : ''}`, dataset: { name: e.event_name, withError: String(e.withError) } },
          h(
            'div',
            { class: 'row-head' },
            h('span', { class: 'seq' }, `#${e.sequence}`),
            h('span', { class: 'name' }, e.event_name),
            e.withError && h('span', { class: 'badge error' }, 'withError: true'),
            h('time', { datetime: e.event_time }, clock(e.event_time)),
          ),
          h('div', { class: 'row-meta muted' },
            `screen: ${e.event_screen ?? '—'} · ${e.event_category} · withError: ${e.withError}`),
          h('code', { class: 'event-data' }, JSON.stringify(e.event_data)),
        ),
      );
    },

    /** The widget could not start, e.g. buildWithOptions refused its options. */
    failure(message) {
      append(h('li', { class: 'row event with-error' }, h('div', { class: 'row-head' }, h('span', { class: 'name' }, message))));
    },

    callback(name, args) {
      const labels = { onSuccess: ['data'], onError: ['json', 'error'], onClose: ['json', 'error'], beforeClose: ['json'] };
      const names = labels[name] ?? args.map((_, i) => `arg${i}`);
      append(
        h(
          'li',
          { class: `row callback ${name}`, dataset: { callback: name } },
          h('div', { class: 'row-head' }, h('span', { class: 'name' }, `${name}(${names.join(', ')})`), h('time', {}, clock(new Date().toISOString()))),
          args.map((arg, i) => payload(names[i], arg)),
        ),
      );
    },
  };
}
