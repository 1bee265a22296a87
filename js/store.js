// Where queued events wait for the webhook: one record per event, keyed
// `okra-events:v1:<session start>:<session id>:<sequence>` so keys sort in
// delivery order, with the webhook URL stored beside the event's JSON.

export const KEY_PREFIX = 'okra-events:v1:';

/**
 * Written over a stored event just before it is removed because the webhook
 * refused it, followed by the status, so the tab that created it can tell a
 * refusal from a delivery.
 */
export const REJECTED_MARK = '\u0000rejected:';

/** localStorage if it can be written, else null (missing, blocked, or full). */
export function openStorage() {
  try {
    const s = globalThis.localStorage;
    const probe = '__okra_events_probe';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null;
  }
}

/** Writes one entry; false when the write fails (e.g. over quota). */
export function store(s, key, value) {
  try {
    s.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

export function unstore(s, key) {
  try {
    s.removeItem(key);
  } catch {}
}

/** [[key, value], ...] of the entries whose key starts with the prefix. */
export function scan(s) {
  const out = [];
  try {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k !== null && k.startsWith(KEY_PREFIX)) out.push([k, s.getItem(k)]);
    }
  } catch {}
  return out;
}
