// The app's side of the widget in a React Native WebView
// (okra-events/react-native), with no React Native import: every decision
// the component makes is here, so it runs and is tested in Node and in a
// browser. The host's rules (strict decoding, each event_id once and in
// order, one onSuccess per widget session, onClose once and last, the load
// and close timeouts) are okra-events/host's own (`hostSession`, `check`,
// `decode`), imported unchanged; this file only decides what reaches them
// and what leaves for the page.
//
// The WebView is one channel in each direction, with no port and no origin
// of its own: the page posts text with `window.ReactNativeWebView.postMessage`
// and the app gets it in `onMessage` as `nativeEvent.data`, with
// `nativeEvent.url` (the sending frame's URL on iOS, its origin on Android)
// filled in by react-native-webview, not by the page. So:
// - the app acts only on messages whose `nativeEvent.url` has exactly the
//   widget's origin, and only while the WebView shows that origin;
// - it sends the options (the `ack`) only in answer to such a `syn`, with the
//   WebView's `postMessage` (never in the URL, never in script text of its own);
// - before its first `ack`, only `syn` and `failed` count (as in the browser,
//   where everything else comes on the port the `ack` carries);
// - the WebView stays on the widget's origin: other top-level URLs open in
//   the system browser.

import { check, decode, hostSession } from './host.js';

/** The host's callbacks, which the app's latest props provide. */
const CALLBACKS = ['onEvent', 'onSuccess', 'onError', 'beforeClose', 'onClose'];

/** What opens in the system browser: web pages, mail and phone links; no other scheme. */
const browser = (to) => (typeof to === 'string' && /^(https?|mailto|tel):/i.test(to) ? to : undefined);

/** Where to look when the widget never connects, in the WIDGET_LOAD_TIMEOUT message. */
const HINT =
  "Did its page load in the WebView (HTTP status, the device's network)? Does it call Okra.connectToHost({ allowNativeHost: true })?";

/**
 * The origin of an `http:` or `https:` URL, as the URL standard writes it
 * (scheme and host in lower case, no default port), or `''` for anything
 * else, and for anything unusual (user info, a backslash, an empty port, a
 * host in another form): unknown is never the widget's origin. React
 * Native's own `URL` matches a regular expression and does not parse, so
 * this does not use it.
 */
export function originOf(url) {
  const m = typeof url === 'string' && /^(https?):\/\/([a-z\d.-]+|\[[^\]/?#@\\]*\])(?::(\d{1,5}))?(?=[/?#]|$)/i.exec(url);
  if (!m) return '';
  const scheme = m[1].toLowerCase();
  const port = m[3] === undefined ? '' : +m[3];
  if (port > 65535) return '';
  const shown = port === '' || port === (scheme === 'https' ? 443 : 80) ? '' : `:${port}`;
  return `${scheme}://${m[2].toLowerCase()}${shown}`;
}

/**
 * Plans the widget of `options` (buildWithOptions' options, with
 * `widgetUrl`) in a WebView. The options are checked as okra-events/host
 * checks them: a bad one throws a TypeError naming it (after `onError`).
 * `current()` gives the options whose callbacks are called (a component's
 * latest props); by default, `options`. Returns what the WebView is given
 * (`url`, `origin`, `originWhitelist`), `navigate(request)` for
 * `onShouldStartLoadWithRequest`, and `open(io)`, which starts the host.
 */
export function nativeWidget(options, current = () => options) {
  const checked = check(options);
  const url = checked[0];
  const origin = originOf(url);
  if (!origin) throw new TypeError(`okra-events: option \`widgetUrl\` must have an origin the app can compare exactly, got "${url}"`);
  // The callbacks of the latest options, looked up at each call.
  checked[5] = Object.fromEntries(
    CALLBACKS.map((k) => [
      k,
      (...args) => {
        const fn = current()?.[k];
        if (typeof fn === 'function') fn(...args);
      },
    ]),
  );

  return Object.freeze({
    /** The page the WebView loads: `widgetUrl` as given. */
    url,
    /** `new URL(widgetUrl).origin`: the only origin trusted. */
    origin,
    /**
     * The WebView's `originWhitelist`. react-native-webview compares it as
     * a prefix (`https://widget.example` also lets
     * `https://widget.example.evil.tld` through), so it is only a first
     * fence: `navigate` compares whole origins.
     */
    originWhitelist: [origin],

    /**
     * `onShouldStartLoadWithRequest`: `{ load, open }`. The widget's own
     * origin loads, in any frame; another top-level URL does not load, and
     * `open` is set when it should open in the system browser (`http:`,
     * `https:`, `mailto:`, `tel:`; never another scheme). A frame of
     * another origin does not load (a blank frame does), and opens nothing.
     */
    navigate(request) {
      const to = typeof request?.url === 'string' ? request.url : '';
      if (originOf(to) === origin) return { load: true };
      if (request?.isTopFrame === false) return { load: /^about:(blank|srcdoc)$/.test(to) };
      return { load: false, open: browser(to) };
    },

    /**
     * `onOpenWindow` (a link to a new window, `window.open`): the URL to
     * open in the system browser, whatever its origin, or undefined for a
     * scheme other than `http:`, `https:`, `mailto:` and `tel:`. Nothing
     * opens inside the app.
     */
    window: browser,

    /**
     * Starts the host: its load timeout runs from now. `io.post(text)`
     * sends text to the page (the WebView's `postMessage`); `io.end()`
     * runs once when the widget is finished (after `onClose`), so the
     * WebView can go. Returns the WebView's handlers and the handle.
     */
    open(io) {
      /** The URL the WebView shows: the one it was given, until it says otherwise. */
      let shown = url;
      let acked = false;
      let over = false;
      let destroyed = false;
      const here = () => originOf(shown) === origin;
      const session = hostSession(checked, {
        send: (text) => here() && io.post(text),
        end() {
          if (over) return;
          over = true;
          if (!destroyed) io.end?.();
        },
        hint: HINT,
      });

      return Object.freeze({
        /** `onLoadStart` and `onNavigationStateChange`: the WebView now shows `to`. */
        navigated(to) {
          shown = typeof to === 'string' ? to : '';
        },
        /**
         * `onMessage`, with its `nativeEvent`: acted on only from the
         * widget's exact origin, while the WebView shows it; anything
         * malformed, oversized or unexpected is dropped without throwing.
         */
        message(nativeEvent) {
          const text = nativeEvent?.data;
          if (originOf(nativeEvent?.url) !== origin || !here()) return;
          const m = decode(text);
          if (!m) return;
          if (m.type === 'syn') {
            // A (re)loaded widget: the options again, to this origin only.
            const ack = session.syn();
            if (ack) {
              acked = true;
              io.post(ack);
            }
          } else if (m.type === 'failed') session.failed(m.reason);
          else if (acked) session.receive(text);
        },
        /**
         * Android's hardware back: closes the widget as its close button
         * does, and returns true (handled); false once it is finished.
         */
        back() {
          if (over) return false;
          session.close();
          return true;
        },
        /** Asks the widget to close: its closing events, then `onClose` (after 3 s at most). */
        close: session.close,
        /** Stops everything at once: no callback fires after it. */
        destroy() {
          destroyed = true;
          session.destroy();
        },
        /** The events received, oldest first. */
        events: session.events,
        /** The widget's current session id, or null before its first event. */
        sessionId: session.sessionId,
      });
    },
  });
}
