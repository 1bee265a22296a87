// okra-events/react-native's component (the built pkg/react-native.js),
// rendered with react-test-renderer under React Native's jest preset, with
// react-native-webview's own JavaScript (only its native side is recorded:
// setup.js). The WebView's native events are fed through the props
// react-native-webview gives its native view, as the native side calls them.
import React, { StrictMode, createRef } from 'react';
import renderer, { act } from 'react-test-renderer';
import { Linking, Platform } from 'react-native';
import RCTDeviceEventEmitter from 'react-native/Libraries/EventEmitter/RCTDeviceEventEmitter';
import { WebView } from 'react-native-webview';
import RNCWebViewModule from 'react-native-webview/lib/NativeRNCWebViewModule';
import { Commands } from 'react-native-webview/lib/RNCWebViewNativeComponent';
import { OkraWidget } from '../../pkg/react-native.js';

const WIDGET_URL = 'https://widget.example/link?flow=1';
const ORIGIN = 'https://widget.example';
const TOKEN = 'tok_S3CR3T_rn_token_0123456789';
const PROTOCOL = 'okra-events/bridge/1';
const msg = (type, fields = {}) => JSON.stringify({ okra: PROTOCOL, type, ...fields });

/** An event as the widget sends it (its fields in the core's order). */
const event = (sequence, name, session = 's-1') => ({
  event: true, event_name: name, event_type: 'DATA_EVENT', event_category: 'auth', event_screen: 'landing',
  event_time: '2026-01-02T03:04:05.678Z', event_location: WIDGET_URL, event_callback_url: null,
  event_data: { tracking_id: 't-1' }, withError: false, event_id: `${session}-e${sequence}`, session_id: session, sequence,
});

let tree;
let calls;

/** The merchant's config: every callback recorded in `calls`. */
const config = (extra = {}) => {
  const cb = (name) => (...args) => calls.push([name, ...args]);
  return {
    key: 'pk_rn', token: TOKEN, widgetUrl: WIDGET_URL, options: { clientDefinedId: 'order-42' },
    onEvent: cb('onEvent'), onSuccess: cb('onSuccess'), onError: cb('onError'), beforeClose: cb('beforeClose'), onClose: cb('onClose'),
    ...extra,
  };
};

beforeEach(() => {
  jest.useFakeTimers();
  jest.clearAllMocks();
  calls = [];
});

afterEach(() => {
  act(() => tree?.unmount());
  tree = undefined;
  jest.useRealTimers();
});

function render(element) {
  act(() => {
    tree = renderer.create(element);
  });
  return tree;
}

/** The props OkraWidget gives react-native-webview's WebView. */
const webViewProps = () => tree.root.findByType(WebView).props;
/** The native view react-native-webview renders, whose props the native side calls. */
const nativeView = () => tree.root.find((n) => n.type === 'RNCWebView' || n.type?.displayName === 'RNCWebView').props;
/** A native event, as the WebView's native side sends it. */
const native = (name, nativeEvent) => act(() => nativeView()[name]({ nativeEvent }));
/** What the app posted into the page. */
const posted = () => Commands.postMessage.mock.calls.map((c) => c[1]);
const names = () => calls.map((c) => c[0]);

describe(`OkraWidget on ${Platform.OS}`, () => {
  test('the WebView gets the widget URL as given, its exact origin as the whitelist, and no option in its URL or in any script', () => {
    render(<OkraWidget config={config()} />);
    const props = webViewProps();
    expect(props.source).toEqual({ uri: WIDGET_URL });
    expect(props.originWhitelist).toEqual([ORIGIN]);
    for (const p of ['injectedJavaScript', 'injectedJavaScriptBeforeContentLoaded', 'injectedJavaScriptObject']) expect(props[p]).toBeUndefined();
    const text = JSON.stringify(props, (k, v) => (typeof v === 'function' ? `fn:${k}` : v));
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('order-42');
    expect(typeof props.onShouldStartLoadWithRequest).toBe('function');
    expect(typeof props.onMessage).toBe('function');
    // What reaches the native view too (its ref aside).
    expect(JSON.stringify(nativeView(), (k, v) => (typeof v === 'function' || k === 'ref' ? undefined : v))).not.toContain(TOKEN);
    expect(nativeView().newSource ?? nativeView().source).toEqual({ uri: WIDGET_URL });
    expect(Commands.injectJavaScript).not.toHaveBeenCalled();
  });

  test("onShouldStartLoadWithRequest: the widget's origin loads; look-alikes and other origins do not, and open in the system browser", async () => {
    render(<OkraWidget config={config()} />);
    const { onShouldStartLoadWithRequest } = webViewProps();
    // The component's own answers.
    expect(onShouldStartLoadWithRequest({ url: 'https://widget.example/next', isTopFrame: true })).toBe(true);
    expect(onShouldStartLoadWithRequest({ url: 'HTTPS://WIDGET.EXAMPLE:443/x', isTopFrame: true })).toBe(true);
    expect(onShouldStartLoadWithRequest({ url: 'https://widget.example.evil.tld/', isTopFrame: true })).toBe(false);
    expect(onShouldStartLoadWithRequest({ url: 'https://widget.example:444/', isTopFrame: true })).toBe(false);
    expect(onShouldStartLoadWithRequest({ url: 'https://ads.example/', isTopFrame: false })).toBe(false);
    await act(async () => {});
    expect(Linking.openURL.mock.calls).toEqual([['https://widget.example.evil.tld/'], ['https://widget.example:444/']]);
    // Called on Linking itself, whose openURL needs its `this` in React Native.
    expect(Linking.openURL.mock.contexts).toEqual([Linking, Linking]);
    // A link to a new window opens outside, whatever its origin; another scheme does not.
    jest.clearAllMocks();
    for (const targetUrl of ['https://bank.example/terms', 'market://details?id=x']) {
      act(() => {
        webViewProps().onOpenWindow({ nativeEvent: { targetUrl } });
      });
    }
    await act(async () => {});
    expect(Linking.openURL.mock.calls).toEqual([['https://bank.example/terms']]);

    // Through react-native-webview, from its native view: its whitelist is a prefix, so the
    // look-alike reaches the component's handler, which refuses it.
    jest.clearAllMocks();
    const cases = [
      ['https://widget.example/step2', true],
      ['https://widget.example.evil.tld/phish', false],
      ['https://widget.example:444/', false],
      ['https://evil.tld/', false], // refused by react-native-webview's whitelist itself
    ];
    cases.forEach(([url], i) => native('onShouldStartLoadWithRequest', { url, lockIdentifier: i + 1, isTopFrame: true, navigationType: 'click' }));
    await act(async () => {});
    expect(RNCWebViewModule.shouldStartLoadWithLockIdentifier.mock.calls).toEqual(cases.map(([, load], i) => [load, i + 1]));
    expect(Linking.openURL.mock.calls.map((c) => c[0]).sort()).toEqual(['https://evil.tld/', 'https://widget.example.evil.tld/phish', 'https://widget.example:444/']);
  });

  test('a whole flow through onMessage: options only after a syn from the exact origin, callbacks in order, each event once, onClose last', () => {
    const ref = createRef();
    render(<OkraWidget ref={ref} config={config()} />);
    // From elsewhere, or before a syn: nothing.
    native('onMessage', { url: 'https://widget.example.evil.tld/link', data: msg('syn') });
    native('onMessage', { url: 'https://widget.example:444/link', data: msg('syn') });
    native('onMessage', { url: WIDGET_URL, data: msg('ready') });
    native('onMessage', { url: WIDGET_URL, data: 'x'.repeat(300_000) });
    native('onMessage', { url: WIDGET_URL, data: '{"okra":' });
    native('onMessage', { url: undefined, data: undefined });
    expect(posted()).toEqual([]);

    // The widget's syn (iOS gives the frame's URL, Android its origin): the options, by postMessage.
    native('onMessage', { url: Platform.OS === 'ios' ? WIDGET_URL : ORIGIN, data: msg('syn') });
    expect(posted()).toHaveLength(1);
    const ack = JSON.parse(posted()[0]);
    expect(ack.type).toBe('ack');
    expect(ack.options).toMatchObject({ key: 'pk_rn', token: TOKEN, widgetUrl: WIDGET_URL, options: { clientDefinedId: 'order-42' } });
    expect(Commands.injectJavaScript).not.toHaveBeenCalled();

    native('onMessage', { url: WIDGET_URL, data: msg('ready') });
    for (const m of [
      msg('event', { event: event(1, 'USER_CONNECTING') }),
      msg('event', { event: event(2, 'USER_CONNECTED') }),
      msg('event', { event: event(2, 'USER_CONNECTED') }), // sent again
      msg('event', { event: event(1, 'USER_CONNECTING') }), // out of order
      msg('success', { data: { record_id: 'r1' } }),
      msg('success', { data: { record_id: 'r2' } }),
    ]) {
      native('onMessage', { url: WIDGET_URL, data: m });
    }
    // A look-alike's forgeries change nothing.
    native('onMessage', { url: 'https://widget.example.evil.tld/', data: msg('event', { event: event(3, 'USER_BANK_SELECTED') }) });
    native('onMessage', { url: 'https://widget.example.evil.tld/', data: msg('close', { json: {}, error: null }) });
    expect(names()).toEqual(['onEvent', 'onEvent', 'onSuccess']);
    expect(ref.current.events().map((e) => e.event_id)).toEqual(['s-1-e1', 's-1-e2']);
    expect(ref.current.sessionId()).toBe('s-1');

    act(() => ref.current.close());
    expect(posted().at(-1)).toBe(msg('close_request'));
    native('onMessage', { url: WIDGET_URL, data: msg('before_close', { json: { session_id: 's-1' } }) });
    native('onMessage', { url: WIDGET_URL, data: msg('close', { json: { session_id: 's-1', bounced: false }, error: null }) });
    expect(names()).toEqual(['onEvent', 'onEvent', 'onSuccess', 'beforeClose', 'onClose']);
    expect(calls.at(-1)[1]).toEqual({ session_id: 's-1', bounced: false });
    // Finished: the WebView is gone, and nothing fires again.
    expect(tree.toJSON()).toBeNull();
    act(() => jest.advanceTimersByTime(60_000));
    expect(names()).toHaveLength(5);
  });

  test('a widget that never connects: WIDGET_LOAD_TIMEOUT after widgetTimeout, then onClose', () => {
    render(<OkraWidget config={config({ widgetTimeout: 5000 })} />);
    act(() => jest.advanceTimersByTime(4999));
    expect(calls).toEqual([]);
    act(() => jest.advanceTimersByTime(1));
    expect(names()).toEqual(['onError', 'onClose']);
    expect(calls[0][2]).toMatchObject({ type: 'WIDGET_LOAD_TIMEOUT', widget_url: WIDGET_URL, timeout: 5000 });
    expect(calls[0][2].message).toMatch(/allowNativeHost: true/);
    expect(tree.toJSON()).toBeNull();
  });

  test('the latest callbacks are called; StrictMode leaves one widget; unmounting stops everything', () => {
    const seen = [];
    const first = config({ onEvent: () => seen.push('first') });
    render(
      <StrictMode>
        <OkraWidget config={first} />
      </StrictMode>,
    );
    native('onMessage', { url: WIDGET_URL, data: msg('syn') });
    expect(posted()).toHaveLength(1);
    act(() =>
      tree.update(
        <StrictMode>
          <OkraWidget config={{ ...first, onEvent: (e) => seen.push(e.event_name) }} />
        </StrictMode>,
      ),
    );
    native('onMessage', { url: WIDGET_URL, data: msg('ready') });
    native('onMessage', { url: WIDGET_URL, data: msg('event', { event: event(1, 'USER_CONNECTING') }) });
    expect(seen).toEqual(['USER_CONNECTING']);
    act(() => tree.unmount());
    tree = undefined;
    act(() => jest.advanceTimersByTime(60_000));
    expect(calls).toEqual([]);
  });

  test('callbacks that throw break nothing', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => {});
    render(<OkraWidget config={config({ onEvent: () => { throw new Error('boom'); } })} />);
    native('onMessage', { url: WIDGET_URL, data: msg('syn') });
    native('onMessage', { url: WIDGET_URL, data: msg('ready') });
    native('onMessage', { url: WIDGET_URL, data: msg('event', { event: event(1, 'USER_CONNECTING') }) });
    native('onMessage', { url: WIDGET_URL, data: msg('close', { json: {}, error: null }) });
    expect(names()).toEqual(['onClose']);
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });

  test('a bad option is a TypeError naming it, before anything renders', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => {});
    for (const [bad, option] of [[{ widgetUrl: 'http://widget.example/' }, 'widgetUrl'], [{ token: '' }, 'token'], [{ widgetTimeout: 0 }, 'widgetTimeout'], [{ onEvent: 'log' }, 'onEvent']]) {
      expect(() => render(<OkraWidget config={config(bad)} />)).toThrow(new RegExp(`^okra-events: option \`${option}\` must be`));
    }
    spy.mockRestore();
  });

  if (Platform.OS === 'android') {
    test("Android's hardware back closes the widget as its close button does, then is the app's again", () => {
      const exit = jest.spyOn(require('react-native').BackHandler, 'exitApp');
      render(<OkraWidget config={config()} />);
      native('onMessage', { url: ORIGIN, data: msg('syn') });
      native('onMessage', { url: ORIGIN, data: msg('ready') });
      act(() => RCTDeviceEventEmitter.emit('hardwareBackPress'));
      expect(posted().at(-1)).toBe(msg('close_request'));
      expect(exit).not.toHaveBeenCalled();
      native('onMessage', { url: ORIGIN, data: msg('close', { json: { bounced: true }, error: null }) });
      expect(names()).toEqual(['onClose']);
      act(() => RCTDeviceEventEmitter.emit('hardwareBackPress'));
      expect(exit).toHaveBeenCalledTimes(1);
    });
  }
});
