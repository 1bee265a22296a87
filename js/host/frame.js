// The host's transport on a web page: the widget's iframe, the window
// listener for its first message, and the MessageChannel it talks on; and the
// dialog the iframe sits in. What the messages mean is the session's
// (session.js); this file decides only where a message may come from: this
// iframe's own window, at the exact widget origin.

import { decode } from './protocol.js';
import { P } from './options.js';
import { hostSession } from './session.js';

/** Whether a widget is open in the default overlay on this page. */
let overlay = false;

/**
 * Opens the widget of `checked` (what `check()` returned) in `iframe`, in
 * its container or a full-viewport modal dialog, and returns its handle.
 * Focus moves into the widget, and back where it was when the widget closes.
 */
export function openFrame(checked, iframe = document.createElement('iframe')) {
  const [url, , , , container] = checked;
  if (!container && overlay) {
    throw new Error(`${P}a widget is already open on this page; close it first, or give each widget a container`);
  }
  const origin = new URL(url).origin;
  const doc = document;
  const html = doc.documentElement;
  const focused = doc.activeElement;
  const scroll = html.style.overflow;
  const make = (tag) => doc.createElement(tag);
  iframe.src = url;
  iframe.title = 'Okra widget';
  iframe.style.cssText = 'display:block;border:0;width:100%;height:100%';
  let root = iframe;
  // Where focus goes in the dialog: the dialog itself until the widget's page
  // has loaded (so that keys, Escape among them, reach this page), then the
  // widget.
  let into = root;
  let port;
  let ended = false;
  const session = hostSession(checked, {
    send: (text) => port?.postMessage(text),
    end() {
      if (ended) return;
      ended = true;
      const inside = root.contains(doc.activeElement);
      removeEventListener('message', onMessage);
      removeEventListener('keydown', onKey, true);
      port?.close();
      root.remove();
      if (!container) {
        overlay = false;
        html.style.overflow = scroll;
      }
      if (inside || doc.activeElement === doc.body) focused?.focus?.();
    },
  });

  // Only messages from this iframe's own window, at the exact widget origin:
  // a `syn` gets an answer, a new channel each time, so a reloaded widget
  // connects again and the old page's port goes quiet. The options go to that
  // origin only.
  function onMessage(e) {
    const m = e.source === iframe.contentWindow && e.origin === origin && decode(e.data);
    if (!m) return;
    if (m.type === 'failed') return session.failed(m.reason);
    const ack = m.type === 'syn' && session.syn();
    if (!ack) return;
    port?.close();
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = (p) => session.receive(p.data);
    iframe.contentWindow.postMessage(ack, origin, [channel.port2]);
  }

  // The dialog (WAI-ARIA's modal dialog pattern): Escape and a click on the
  // backdrop close the widget; Tab and Shift-Tab stay in it, and a Tab on
  // this page (focus is not in the widget) goes into it rather than to the
  // page behind; the page behind does not scroll. (Tab by its keyCode:
  // WebKitGTK, driven by its WebDriver, gives Shift-Tab the key
  // "Unidentified".)
  function onKey(e) {
    if (e.key === 'Escape') session.close();
    else if (e.keyCode === 9) {
      e.preventDefault();
      into.focus();
    }
  }
  if (!container) {
    overlay = true;
    into = root = make('div');
    root.tabIndex = -1;
    root.setAttribute('role', 'dialog');
    root.setAttribute('aria-modal', 'true');
    root.setAttribute('aria-label', iframe.title);
    // The widget in a box on the page's backdrop (the whole screen where
    // the screen is smaller than the box), so a click beside it is a click
    // on the backdrop.
    root.style.cssText = 'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(15,23,42,.45)';
    iframe.style.maxWidth = '480px';
    iframe.style.maxHeight = '760px';
    // Focus that leaves the widget at either end lands here, and goes back in.
    const guard = () => {
      const g = make('span');
      g.tabIndex = 0;
      g.onfocus = () => into.focus();
      return g;
    };
    root.append(guard(), iframe, guard());
    root.onclick = (e) => e.target === root && session.close();
    addEventListener('keydown', onKey, true);
    html.style.overflow = 'hidden';
  }
  addEventListener('message', onMessage);
  (container ?? doc.body).append(root);
  // A modal dialog takes focus as it opens, before the widget's page is
  // there. Focus goes into the widget once its page is there to take it (in
  // a container, only then: focusing now would make the browser lay out the
  // page in the middle of this call).
  if (!container) root.focus();
  iframe.addEventListener('load', () => (into = iframe).focus(), { once: true });

  return Object.freeze({
    iframe,
    get sessionId() {
      return session.sessionId();
    },
    events: session.events,
    close: session.close,
    destroy: session.destroy,
  });
}
