// TypeScript declarations for okra-events/react-native: the widget in a React
// Native app, in a react-native-webview WebView on the widget's own origin.

import type { ForwardRefExoticComponent, RefAttributes } from 'react';
import type { StyleProp, ViewStyle } from 'react-native';
import type {
  JsonObject,
  OkraErrorInfo,
  OkraEvent,
  OkraOptions,
  OkraSessionMetadata,
  OkraWidgetLoadTimeout,
} from './types.js';

export * from './types.js';

/**
 * The options of `Okra.buildWithOptions` with `widgetUrl`, as the app gives them. Every
 * option but the functions goes to the widget, with the WebView's `postMessage`, only while
 * it shows the exact origin of `widgetUrl`: never in its URL or in script text.
 */
export interface OkraWidgetConfig extends OkraOptions {
  /** The widget's page: `https:` (`http:` only for localhost, 127.0.0.1, [::1]). Its exact origin is the only one trusted. */
  widgetUrl: string;
  /** How long the widget may take to connect, in ms (default 20000); then `WIDGET_LOAD_TIMEOUT`. */
  widgetTimeout?: number;
  /** Exactly once, last; then the component renders nothing. */
  onClose?: (json: OkraSessionMetadata, error: OkraErrorInfo | OkraWidgetLoadTimeout | JsonObject | null) => void;
}

/** Props of {@link OkraWidget}. */
export interface OkraWidgetProps {
  /**
   * The widget's options and callbacks (one object, since `key` is a name React keeps for
   * itself). Read when the component mounts; the callbacks are always the latest render's.
   */
  config: OkraWidgetConfig;
  /** The WebView's style. Default `{ flex: 1 }`. */
  style?: StyleProp<ViewStyle>;
}

/** What a ref to {@link OkraWidget} holds. */
export interface OkraWidgetHandle {
  /** Asks the widget to close, as its close button does: its closing events, then `onClose` (after 3 s at most). */
  close(): void;
  /** The events received from the widget, oldest first, each `event_id` once. */
  events(): OkraEvent[];
  /** The widget's current session id, or null before its first event. */
  sessionId(): string | null;
}

/**
 * The widget at `config.widgetUrl` in a WebView that stays on its origin (other pages open
 * in the system browser), with the callbacks and guarantees of okra-events/host: each
 * `event_id` once and in order, at most one `onSuccess` per widget session, `onClose`
 * exactly once and last, `WIDGET_LOAD_TIMEOUT` when it never connects. Android's hardware
 * back closes it. Throws a TypeError naming a bad option.
 */
export declare const OkraWidget: ForwardRefExoticComponent<OkraWidgetProps & RefAttributes<OkraWidgetHandle>>;
export default OkraWidget;
