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
  // event_id -> the row's delivery badge, until the event settles.
  const deliveryBadges = new Map();
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

    /** @param {boolean} delivered whether the event goes to a webhook (shows its delivery state) */
    event(e, delivered) {
      const state = delivered && h('span', { class: 'badge delivery queued', title: 'waiting for the webhook' }, 'queued');
      if (state) deliveryBadges.set(e.event_id, state);
      append(
        h(
          'li',
          { class: `row event${e.withError ? ' with-error' : ''}`, dataset: { name: e.event_name, withError: String(e.withError), eventId: e.event_id } },
          h(
            'div',
            { class: 'row-head' },
            h('span', { class: 'seq' }, `#${e.sequence}`),
            h('span', { class: 'name' }, e.event_name),
            e.withError && h('span', { class: 'badge error' }, 'withError: true'),
            state,
            h('time', { datetime: e.event_time }, clock(e.event_time)),
          ),
          h('div', { class: 'row-meta muted' },
            `screen: ${e.event_screen ?? '—'} · ${e.event_category} · withError: ${e.withError}`),
          h('code', { class: 'event-data' }, JSON.stringify(e.event_data)),
        ),
      );
    },

    /** onDelivery: some events reached the webhook, or were refused or dropped. */
    delivery({ state, event_ids, status }) {
      for (const id of event_ids) {
        const badge = deliveryBadges.get(id);
        if (!badge) continue;
        badge.className = `badge delivery ${state}`;
        badge.textContent = status ? `${state} ${status}` : state;
        badge.title = state === 'delivered' ? 'the webhook answered 2xx' : 'not delivered';
        deliveryBadges.delete(id);
      }
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
