// The plain-JS baseline of bench/speed.mjs: the smallest emitter a developer
// would write by hand for the same job. It builds the same event object as
// okra-events (SPEC §4), keeps the same session log (the newest 10,000
// events) and calls the same onEvent callback. It does not check options,
// scrub credentials or validate data; with `persist` it keeps one localStorage
// entry per event and POSTs them to event_callback_url, nothing more (no
// retry, backoff or queue bound).
const C = { auth: 'USER_CONNECTING USER_CONNECTED USER_CONSENT_GRANTED USER_CONSENT_REVIEW USER_LOGIN_SELECTION USER_VIEWED_BANKS USER_ACCOUNT_TYPE_SELECTION USER_BANK_SEARCH USER_BANK_SELECTED USER_BANK_SEARCH_NO_RESULTS USER_LOGIN_ATTEMPTED USER_ACCOUNT_SELECTION USER_ACCOUNT_SELECTED USER_FETCH_BALANCE USER_RETRIEVED_BALANCE USER_BALANCE_SENT USER_FETCH_TRANS USER_RETRY_OTP USER_MFA_QUESTION USER_COMPLETE_MFA',
  payment: 'USER_PAYMENT_REVIEW USER_CONFIRM_PAYMENT USER_AUTHORIZE_PAYMENT USER_PAYMENT_ACKNOWLEDGED',
  returning_user: 'USER_RUX_SELECTION USER_RUX_BANK_SELECTED USER_RUX_NOT_FOUND',
  network: 'USER_NETWORK_DISCONNECTED USER_NETWORK_RECONNECTED USER_TIMEOUT USER_BOUNCE USER_CONNECTION_FAILED USER_CONNECTION_SUCCESSFUL',
  general: 'WIDGET_COMPLETE_PROFILING USER_PROFILE_ACCOUNT_REVIEW USER_APP_CLOSE USER_APP_REDIRECT' };
const LOG_LIMIT = 10_000; // the newest events kept, as okra-events' session log does
const CATALOG = new Map(Object.entries(C).flatMap(([cat, names]) => names.split(' ').map((n) => [n, cat])));

export function buildWithOptions(options) {
  const { onEvent, event_callback_url: url = null } = options;
  const session_id = crypto.randomUUID();
  const tracking_id = Math.random().toString(36).slice(2, 11);
  const log = [];
  let sequence = 0;
  const emit = (name, data, withError = false) => {
    const event_name = String(name).toUpperCase();
    const event_category = CATALOG.get(event_name);
    if (event_category === undefined) throw new TypeError(`unknown event "${name}"`);
    const event = { event: true, event_name, event_type: 'DATA_EVENT', event_category, event_screen: null,
      event_time: new Date().toISOString(), event_location: window.location.href, event_callback_url: url,
      event_data: { tracking_id, ...data }, withError, event_id: crypto.randomUUID(), session_id,
      sequence: ++sequence };
    if (log.length >= LOG_LIMIT * 1.1) log.splice(0, log.length - LOG_LIMIT);
    log.push(event);
    if (options.persist) persist(event);
    try { onEvent?.(event); } catch (e) { console.error(e); }
  };
  // persist: one entry per event, POSTed in batches from a timer; removed on 2xx.
  let scheduled = false;
  const persist = (event) => {
    localStorage.setItem(`plain:${event.event_id}`, JSON.stringify(event));
    if (!scheduled) { scheduled = true; setTimeout(flush, 0); }
  };
  const flush = async () => {
    scheduled = false;
    const keys = Object.keys(localStorage).filter((k) => k.startsWith('plain:')).slice(0, 100);
    if (keys.length === 0) return;
    const body = `{"batch":[${keys.map((k) => localStorage.getItem(k)).join(',')}],"sent_at":"${new Date().toISOString()}"}`;
    const r = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
    if (r.ok) { keys.forEach((k) => localStorage.removeItem(k)); flush(); }
  };
  emit('USER_CONNECTING');
  return {
    sessionId: session_id,
    track: (name, data) => emit(name, data),
    events: () => log.slice(),
    pending: () => Object.keys(localStorage).filter((k) => k.startsWith('plain:')).length,
    destroy() {},
  };
}

export default Object.freeze({ buildWithOptions });
