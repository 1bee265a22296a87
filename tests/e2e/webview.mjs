// A React Native WebView, as far as Chromium can be one, with the test as the
// app: the widget's real page loads on its own origin, and the app side is
// okra-events/react-native's pure module (pkg/native-host.js), driven exactly
// as the component (js/react-native.js) drives it:
//   - window.ReactNativeWebView.postMessage(text) reaches `onMessage` with
//     `nativeEvent.url` filled in as react-native-webview 16.0.0 fills it:
//     the sending frame's URL on iOS (WKScriptMessage.frameInfo), its origin
//     on Android (the WebMessageListener's sourceOrigin);
//   - the app's `postMessage(text)` runs in the page as react-native-webview's
//     own script does: `document.dispatchEvent(new MessageEvent(...))` on
//     Android (RNCWebViewManager.kt), `window.dispatchEvent(...)` on iOS
//     (RNCWebViewImpl.m), copied below;
//   - `onShouldStartLoadWithRequest` is a route on navigation requests (top
//     frames always, other frames on iOS only, as the two platforms ask), and
//     `onLoadStart` / `onNavigationStateChange` tell the module where the
//     WebView is.
// Build the package first: scripts/build.sh
import { nativeWidget } from '../../pkg/native-host.js';
import { WAIT_MS } from './demo.mjs';

/** react-native-webview 16.0.0's scripts for the app's `postMessage(data)`, on each platform. */
export const DELIVER = {
  android: (data) =>
    `(function () {var event;var data = ${JSON.stringify({ data })};try {event = new MessageEvent('message', data);} catch (e) {event = document.createEvent('MessageEvent');event.initMessageEvent('message', true, true, data.data, data.origin, data.lastEventId, data.source);}document.dispatchEvent(event);})();`,
  ios: (data) => `window.dispatchEvent(new MessageEvent('message', ${JSON.stringify({ data })}));`,
};

/** `nativeEvent.url` of a message from `frameUrl`, as each platform reports it. */
const SENDER = {
  android: (frameUrl) => new URL(frameUrl).origin,
  ios: (frameUrl) => frameUrl,
};

/**
 * Opens `config.widgetUrl` in a fresh context as an app's WebView on
 * `platform` ('android' or 'ios'). Returns the app: `calls` (its callbacks,
 * in order), `received` (every message the page sent, with its
 * `nativeEvent.url`), `posted` (what the app sent), `opened` (what went to
 * the system browser), `ended`, the module's `host` and `plan`, the `page`,
 * and `hold` (from the start with `hold: true`) / `release()` to keep the
 * page's messages from the app a while (the bridge is asynchronous anyway). `app.fence = false` lets a top-level
 * navigation through unasked, as an Android form POST is
 * (shouldOverrideUrlLoading never sees one).
 */
export async function openWebView(browser, { config, platform = 'android', hold = false }) {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const app = { calls: [], received: [], posted: [], opened: [], ended: 0, fence: true, hold, held: [], page, context, errors: [] };
  page.on('pageerror', (e) => app.errors.push(e));
  const record = (name) => (...args) => app.calls.push({ name, args });
  const plan = nativeWidget({
    ...config,
    onEvent: record('onEvent'),
    onSuccess: record('onSuccess'),
    onError: record('onError'),
    beforeClose: record('beforeClose'),
    onClose: record('onClose'),
  });
  app.plan = plan;

  // The component's handlers, as react-native-webview calls them.
  const host = plan.open({
    post(text) {
      app.posted.push(text);
      app.deliver(text);
    },
    end: () => app.ended++,
  });
  app.host = host;
  /** The app's `postMessage(text)`, run in the page as react-native-webview runs it. */
  app.deliver = (text) => page.mainFrame().evaluate(DELIVER[platform](text)).catch(() => {});
  const onMessage = (nativeEvent) => {
    app.received.push(nativeEvent);
    host.message(nativeEvent);
  };
  app.release = () => {
    app.hold = false;
    for (const m of app.held.splice(0)) onMessage(m);
  };

  await context.exposeBinding('__okraTestWebViewPost', ({ frame }, data) => {
    const nativeEvent = { url: SENDER[platform](frame.url()), data };
    if (app.hold) app.held.push(nativeEvent);
    else onMessage(nativeEvent);
  });
  // What react-native-webview puts in each page (every frame, as Android's
  // WebMessageListener does), and a record of every `message` event a page
  // sees, wherever it was dispatched.
  await context.addInitScript(() => {
    window.ReactNativeWebView = { postMessage: (data) => window.__okraTestWebViewPost(String(data)) };
    window.__seen = [];
    addEventListener('message', (e) => window.__seen.push(typeof e.data === 'string' ? e.data : `[${typeof e.data}]`), true);
  });
  await page.route('**/*', (route) => {
    const request = route.request();
    const frame = request.frame();
    const top = frame === page.mainFrame();
    if (!request.isNavigationRequest() || (!top && platform === 'android') || (top && !app.fence)) {
      if (top && request.isNavigationRequest()) host.navigated(request.url()); // onLoadStart
      return route.continue();
    }
    const { load, open } = plan.navigate({ url: request.url(), isTopFrame: top });
    if (open) app.opened.push(open); // Linking.openURL
    if (!load) return route.abort('aborted'); // cancelled: the page stays, as the WebView's does
    if (top) host.navigated(request.url()); // onLoadStart
    return route.continue();
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) host.navigated(frame.url()); // onNavigationStateChange
  });
  await page.goto(plan.url);
  return app;
}

/** The names of the app's callbacks so far. */
export const callNames = (app) => app.calls.map((c) => c.name);

/** The events the app's onEvent got. */
export const appEvents = (app) => app.calls.filter((c) => c.name === 'onEvent').map((c) => c.args[0]);
