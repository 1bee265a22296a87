// TypeScript declarations for okra-events: the engine (a same-page handler,
// and connectToHost inside the widget's iframe), and host mode, the same as
// okra-events/host.

import type {
  JsonInput,
  OkraDeliveryReport,
  OkraError,
  OkraErrorInfo,
  OkraEvent,
  OkraEventCategory,
  OkraEventName,
  OkraHostOptions,
  OkraOptions,
  OkraScreen,
  OkraSessionMetadata,
  OkraBuildErrorJson,
  OkraSuccessData,
  OkraTrackableEventName,
  OkraWidget,
} from './types.js';

export * from './types.js';

/** One catalog entry. */
export interface OkraCatalogEntry {
  readonly name: OkraEventName;
  readonly category: OkraEventCategory;
  readonly screen: OkraScreen | null;
  readonly description: string;
}

/** The emitter of one widget session. */
export interface OkraHandler {
  /**
   * A screen transition; `details` are added to the data of events emitted while it is shown.
   * Throws a TypeError, and changes nothing, when they would make an event over 32 KiB of JSON.
   */
  screen<T extends object>(name: OkraScreen | Uppercase<OkraScreen>, details?: (T & JsonInput<T>) | null): void;
  /**
   * An event the widget observed. Case-insensitive. Automatic events throw a TypeError, and so
   * does data that would make the event over 32 KiB of JSON (nothing is emitted or queued).
   */
  track<T extends object>(
    eventName: OkraTrackableEventName | Lowercase<OkraTrackableEventName>,
    data?: (T & JsonInput<T>) | null,
  ): void;
  /** The account was linked. Throws a TypeError if its ids would make the event over 32 KiB. */
  success<T extends object>(data?: (T & JsonInput<T>) | null): void;
  /** The connection failed. Throws a TypeError if `error` would make the event over 32 KiB. */
  fail<T extends object>(error?: string | Error | (T & JsonInput<T> & { type?: undefined }) | null): void;
  /** The widget closes. A second call does nothing. */
  close(): void;
  /** Releases listeners and timers. Later calls (but `destroy`) throw. */
  destroy(): void;
  readonly sessionId: string;
  readonly trackingId: string;
  /** The options object as given. */
  readonly options: OkraOptions;
  /** This session's events, oldest first: all of them, or the newest 10,000 in a longer session. */
  events(): OkraEvent[];
  /** How many of this session's events wait for the webhook's 2xx. */
  pending(): number;
  /** Frees the wasm memory of this handler object (optional; the garbage collector does it too). */
  free(): void;
}

/** Options of `Okra.connectToHost`, inside the widget's iframe (or a React Native app's WebView). */
export type OkraConnectOptions = OkraConnectCommon &
  (
    | {
        /** The exact origins of the host pages allowed to embed the widget, e.g. `['https://merchant.example']`. No `*` or patterns. */
        allowedOrigins: readonly string[];
        /**
         * `true` lets a React Native app host the widget: outside a frame, in a WebView with
         * `window.ReactNativeWebView`, it connects to the app (okra-events/react-native).
         * Without it, the page never answers an app. Default false.
         */
        allowNativeHost?: boolean;
      }
    | {
        /** No web page may embed the widget: it is for apps only. */
        allowedOrigins?: undefined;
        allowNativeHost: true;
      }
  );

/** The options of `Okra.connectToHost` besides who may host the widget. */
export interface OkraConnectCommon {
  /** How long to wait for the host's answer, in ms (default 20000). */
  widgetTimeout?: number;
  /** Called in the widget too; each call is also forwarded to the host. */
  onEvent?: (event: OkraEvent) => void;
  onSuccess?: (data: OkraSuccessData) => void;
  onError?: (json: OkraSessionMetadata | OkraBuildErrorJson, error: OkraError) => void;
  beforeClose?: (json: OkraSessionMetadata) => void;
  onClose?: (json: OkraSessionMetadata, error: OkraErrorInfo | null) => void;
  /** Delivery runs in the widget; its reports stay there. */
  onDelivery?: (report: OkraDeliveryReport) => void;
}

/** The okra-events API. */
export interface OkraStatic {
  /**
   * Host mode: opens the widget at `widgetUrl` in an iframe and returns its handle.
   * Throws a TypeError naming a bad option, before anything is added to the page.
   */
  buildWithOptions(options: OkraHostOptions): OkraWidget;
  /** Builds a handler and emits USER_CONNECTING. Throws a TypeError naming a bad option. */
  buildWithOptions(options: OkraOptions & { widgetUrl?: undefined }): OkraHandler;
  /** Either of the above, when whether a `widgetUrl` is given is known only at run time. */
  buildWithOptions(
    options: OkraOptions & Pick<OkraHostOptions, 'container' | 'widgetTimeout' | 'onClose'> & { widgetUrl?: string },
  ): OkraWidget | OkraHandler;
  /**
   * Inside the widget's iframe: resolves with a handler built from the options the host sent,
   * once a host page whose origin is in `allowedOrigins` answers (or, with `allowNativeHost:
   * true`, in a React Native WebView and not framed, once the app answers). Rejects with a
   * TypeError for bad options, and with an Error when the page has no host to connect to (not
   * in a frame, nor in an app's WebView it may answer), when no host answers within
   * `widgetTimeout`, or when the host's origin is not allowed (the message names it).
   */
  connectToHost(options: OkraConnectOptions): Promise<OkraHandler>;
  /** The event catalog. */
  readonly events: readonly OkraCatalogEntry[];
  readonly version: string;
}

export declare const Okra: OkraStatic;
export default Okra;
