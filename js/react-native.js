// okra-events/react-native: the widget in a React Native app, in a
// react-native-webview WebView on the widget's own origin. A component
// rather than a hook: the WebView has to be rendered anyway, and a
// component keeps the props that fence it (originWhitelist,
// onShouldStartLoadWithRequest, onMessage) out of the app's hands, ties
// the hardware back button to the widget being on screen, and ends with
// it. This file is glue only: every decision is js/native-host.js's.

import { createElement, forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { BackHandler, Linking } from 'react-native';
import { WebView } from 'react-native-webview';
import { nativeWidget } from './native-host.js';

/**
 * `<OkraWidget config={{ widgetUrl, key, token, ...options, ...callbacks }} />`:
 * the widget at `config.widgetUrl`, with the options and callbacks of
 * `Okra.buildWithOptions`. The options are read once, when it mounts (give
 * it a React `key` to open another widget); the callbacks are always the
 * latest render's. A bad option throws a TypeError naming it. After
 * `onClose` it renders nothing. Its ref has `close()`, `events()` and
 * `sessionId()`.
 */
export const OkraWidget = forwardRef(function OkraWidget({ config, style }, ref) {
  const latest = useRef(config);
  latest.current = config;
  const plan = useMemo(() => nativeWidget(config, () => latest.current), []);
  const view = useRef(null);
  const host = useRef(null);
  const [shown, setShown] = useState(true);

  useEffect(() => {
    const h = plan.open({ post: (text) => view.current?.postMessage(text), end: () => setShown(false) });
    host.current = h;
    const back = BackHandler.addEventListener('hardwareBackPress', h.back);
    return () => {
      back.remove();
      host.current = null;
      h.destroy();
    };
  }, [plan]);

  useImperativeHandle(
    ref,
    () => ({
      close: () => host.current?.close(),
      events: () => host.current?.events() ?? [],
      sessionId: () => host.current?.sessionId() ?? null,
    }),
    [],
  );

  if (!shown) return null;
  // Opened after this handler returns; a URL no app can open is not an error.
  const outside = (url) => {
    if (url) Promise.resolve(url).then((u) => Linking.openURL(u)).catch(() => {});
  };
  return createElement(WebView, {
    ref: view,
    style: style ?? { flex: 1 },
    source: { uri: plan.url },
    originWhitelist: plan.originWhitelist,
    onShouldStartLoadWithRequest(request) {
      const { load, open } = plan.navigate(request);
      outside(open);
      return load;
    },
    onOpenWindow: (e) => outside(plan.window(e.nativeEvent.targetUrl)),
    onLoadStart: (e) => host.current?.navigated(e.nativeEvent.url),
    onNavigationStateChange: (state) => host.current?.navigated(state.url),
    onMessage: (e) => host.current?.message(e.nativeEvent),
  });
});

export default OkraWidget;
