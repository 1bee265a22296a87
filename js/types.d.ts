// TypeScript declarations shared by okra-events and okra-events/host: the
// event object, the callbacks' arguments, and the host's options and handle.

/** Every event name in the catalog, canonical UPPER_SNAKE. */
export type OkraEventName =
  | 'USER_CONNECTING'
  | 'USER_CONNECTED'
  | 'USER_CONSENT_GRANTED'
  | 'USER_CONSENT_REVIEW'
  | 'USER_LOGIN_SELECTION'
  | 'USER_VIEWED_BANKS'
  | 'USER_ACCOUNT_TYPE_SELECTION'
  | 'USER_BANK_SEARCH'
  | 'USER_BANK_SELECTED'
  | 'USER_BANK_SEARCH_NO_RESULTS'
  | 'USER_LOGIN_ATTEMPTED'
  | 'USER_ACCOUNT_SELECTION'
  | 'USER_ACCOUNT_SELECTED'
  | 'USER_FETCH_BALANCE'
  | 'USER_RETRIEVED_BALANCE'
  | 'USER_BALANCE_SENT'
  | 'USER_FETCH_TRANS'
  | 'USER_RETRY_OTP'
  | 'USER_MFA_QUESTION'
  | 'USER_COMPLETE_MFA'
  | 'USER_PAYMENT_REVIEW'
  | 'USER_CONFIRM_PAYMENT'
  | 'USER_AUTHORIZE_PAYMENT'
  | 'USER_PAYMENT_ACKNOWLEDGED'
  | 'USER_RUX_SELECTION'
  | 'USER_RUX_BANK_SELECTED'
  | 'USER_RUX_NOT_FOUND'
  | 'USER_NETWORK_DISCONNECTED'
  | 'USER_NETWORK_RECONNECTED'
  | 'USER_TIMEOUT'
  | 'USER_BOUNCE'
  | 'USER_CONNECTION_FAILED'
  | 'USER_CONNECTION_SUCCESSFUL'
  | 'WIDGET_COMPLETE_PROFILING'
  | 'USER_PROFILE_ACCOUNT_REVIEW'
  | 'USER_APP_CLOSE'
  | 'USER_APP_REDIRECT';

/** Accepted on input as another spelling of `USER_NETWORK_DISCONNECTED`. */
export type OkraEventAlias = 'WIDGET_USER_INTERNET_DISCONNECTED';

/** Event names the widget reports itself with `handler.track`; the rest are emitted automatically. */
export type OkraTrackableEventName =
  | 'USER_CONSENT_GRANTED'
  | 'USER_CONSENT_REVIEW'
  | 'USER_LOGIN_SELECTION'
  | 'USER_ACCOUNT_TYPE_SELECTION'
  | 'USER_BANK_SELECTED'
  | 'USER_LOGIN_ATTEMPTED'
  | 'USER_ACCOUNT_SELECTED'
  | 'USER_FETCH_BALANCE'
  | 'USER_RETRIEVED_BALANCE'
  | 'USER_BALANCE_SENT'
  | 'USER_FETCH_TRANS'
  | 'USER_RETRY_OTP'
  | 'USER_COMPLETE_MFA'
  | 'USER_CONFIRM_PAYMENT'
  | 'USER_AUTHORIZE_PAYMENT'
  | 'USER_PAYMENT_ACKNOWLEDGED'
  | 'USER_RUX_BANK_SELECTED'
  | 'USER_RUX_NOT_FOUND'
  | 'WIDGET_COMPLETE_PROFILING'
  | 'USER_PROFILE_ACCOUNT_REVIEW'
  | 'USER_APP_REDIRECT';

/** The widget's screens. */
export type OkraScreen =
  | 'landing'
  | 'login_method'
  | 'bank'
  | 'search'
  | 'no_search_result'
  | 'login'
  | 'account_selection'
  | 'balance'
  | 'mfa'
  | 'review_payment'
  | 'authorize_payment'
  | 'rux_bank_selection'
  | 'success'
  | 'failure';

/** Documentation group of an event. */
export type OkraEventCategory = 'auth' | 'payment' | 'returning_user' | 'network' | 'general';

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Data as `JSON.stringify` takes it, checked against its own type `T`: interfaces, optional
 * fields, values with `toJSON` (such as `Date`) and `unknown` values (such as a
 * `Record<string, unknown>`) are accepted; functions, symbols and `bigint` anywhere inside
 * are a type error.
 */
export type JsonInput<T> = unknown extends T
  ? T
  : T extends string | number | boolean | null | undefined
  ? T
  : T extends { toJSON(): unknown }
    ? T
    : T extends bigint | symbol | ((...args: never[]) => unknown)
      ? never
      : T extends readonly (infer U)[]
        ? readonly JsonInput<U>[]
        : { [K in keyof T]: JsonInput<T[K]> };

/** One widget event: the argument of `onEvent`, an element of `handler.events()`, the webhook body's element. */
export interface OkraEvent {
  /** Always `true`. */
  event: true;
  /** Canonical name. */
  event_name: OkraEventName;
  /** Always `DATA_EVENT`. */
  event_type: 'DATA_EVENT';
  event_category: OkraEventCategory;
  /** Screen shown when the event happened, or null before the first screen. */
  event_screen: OkraScreen | null;
  /** ISO-8601 UTC with milliseconds. */
  event_time: string;
  /** `location.href` when the event happened. */
  event_location: string | null;
  /** The webhook the event is delivered to. */
  event_callback_url: string | null;
  /**
   * The session's tracking id, the screen's details and the event's own fields; never
   * credentials, BVN, NIN or card numbers (removed by key, or replaced by `"[redacted]"`).
   */
  event_data: { tracking_id: string } & JsonObject;
  /** True exactly when the user was shown an error. */
  withError: boolean;
  /** Unique, stable across delivery retries (UUID v7). */
  event_id: string;
  session_id: string;
  /** 1, 2, 3, ... per session, no gaps, no repeats. */
  sequence: number;
}

/** Session metadata given to `onError`, `beforeClose` and `onClose`. */
export interface OkraSessionMetadata {
  /**
   * The widget session's id. `null` only in a host's own `onError` and `onClose` when no
   * widget session has spoken yet (a widget that failed or did not load).
   */
  session_id: string | null;
  /** The session's tracking id; `null` when `session_id` is. */
  tracking_id: string | null;
  last_screen: OkraScreen | null;
  /** Closed without a successful connection. */
  bounced: boolean;
  success: boolean;
  events_count: number;
  /**
   * The last error shown to the user, or null. In a host's own `onError` and `onClose`: the
   * last error the host reported (its own, or the widget's).
   */
  error: OkraMetadataError | null;
  options: JsonObject;
  meta: JsonObject;
  /** In `onClose` only: this session's events at the webhook. */
  delivery?: { delivered: number; pending: number; dropped: number };
}

/**
 * What `fail(error)` was given, as `onError` receives it: an `Error` stays itself; a string
 * becomes `{ message }`; an object arrives as a copy without credentials. Its `type` is left
 * to okra-events' own errors, so that `error.type` tells them apart.
 */
export type OkraFailError = (Error & { type?: undefined }) | OkraFailData;

/** The data form of {@link OkraFailError}. */
export interface OkraFailData {
  type?: undefined;
  message?: JsonValue;
  [key: string]: JsonValue | undefined;
}

/**
 * The `error` argument of `onError`. Its kind is always `error.type`, whatever reported it:
 * bad options (`INVALID_OPTIONS`, with `option`; `NO_WINDOW`; `WASM_UNAVAILABLE`), a
 * delivery problem, a widget that could not start or load (host mode); `type` is
 * `undefined` only for what the widget passed to `fail()`.
 *
 *     onError: (_json, error) => {
 *       if (error.type === 'QUEUE_OVERFLOW') console.warn(error.dropped, 'events dropped');
 *       else if (error.type === 'WIDGET_FAILED') console.warn('the widget could not start:', error.reason);
 *     }
 */
export type OkraError = OkraOptionsError | OkraDeliveryError | OkraHostError | OkraFailError;

/** Every kind of error okra-events reports, as `error.type` carries it. */
export type OkraErrorType = Exclude<OkraError['type'], undefined>;

/**
 * What `buildWithOptions` (or `connectToHost`) throws for bad options, or where it cannot
 * run, and passes to `onError` too: a `TypeError` or `Error` whose `type` says which.
 */
export type OkraOptionsError =
  | (TypeError & { type: 'INVALID_OPTIONS'; /** The option that was wrong, when one was. */ option?: string })
  | (Error & { type: 'NO_WINDOW' | 'WASM_UNAVAILABLE'; option?: undefined });

/** A delivery problem, passed to `onError` as its `error` argument. */
export type OkraDeliveryError =
  /**
   * The queue is full. `dropped` new events were dropped; `dropped: 0` means another tab
   * sends for this webhook and its queue is full: this session's events wait in storage.
   * `ended: true` when there is room again.
   */
  | { type: 'QUEUE_OVERFLOW'; dropped: number; ended: boolean; message: string }
  | { type: 'DELIVERY_REJECTED'; status: number; dropped: number; message: string }
  /** The webhook answered with a redirect: not a delivery; the batch stays queued and is retried. Once per run of redirects. */
  | { type: 'DELIVERY_REDIRECTED'; message: string };

/**
 * What `onDelivery` receives: some of the session's events left the webhook queue, or the
 * state of the storage the queue is kept in (not an error: the widget still works).
 */
export type OkraDeliveryReport =
  | {
      /** `delivered`: answered 2xx; `rejected`: refused with a 4xx; `dropped`: the queue was full. */
      state: 'delivered' | 'rejected' | 'dropped';
      event_ids: string[];
      /** The HTTP status, for `rejected`. */
      status?: number;
    }
  /** Nothing can be stored: events are kept in memory, sent by this tab and beaconed when it closes. */
  | { state: 'storage'; type: 'STORAGE_UNAVAILABLE'; store: 'memory'; message: string }
  /** IndexedDB is missing or blocked: events are kept in localStorage, which a killed browser can lose. */
  | { state: 'storage'; type: 'STORAGE_DEGRADED'; store: 'localStorage'; message: string };

/** The last error shown to the user, as data. */
export interface OkraErrorInfo {
  /** The event that showed the error. */
  type: 'USER_CONNECTION_FAILED' | 'USER_TIMEOUT' | 'USER_NETWORK_DISCONNECTED';
  /** For USER_CONNECTION_FAILED: what `fail()` was given, without credentials. */
  error?: JsonValue;
  /** For USER_TIMEOUT: `attempt` or `offline`. */
  reason?: 'attempt' | 'offline';
  [key: string]: JsonValue | undefined;
}

/** What `onError` receives as `json` when `buildWithOptions` refuses its options (the same `type` and `option` as the error). */
export interface OkraBuildErrorJson {
  error: { type: 'INVALID_OPTIONS' | 'NO_WINDOW' | 'NOT_FRAMED' | 'WASM_UNAVAILABLE'; option?: string; message: string };
}

/** What a session's metadata may hold as its last error. */
export type OkraMetadataError = OkraErrorInfo | OkraHostError | OkraDeliveryError | OkraFailData;

/** The `onSuccess` data, in the widget's documented shape, with `options` and `meta` echoed. */
export interface OkraSuccessData {
  auth: JsonValue;
  income: JsonValue;
  identity: JsonValue;
  error: null | JsonValue;
  payment_authorization: JsonValue;
  authorization_id: JsonValue;
  authorizationId: JsonValue;
  done: boolean;
  accounts: JsonValue[];
  record_id: string | null;
  record: string | null;
  bank_id: string | null;
  customer_id: string | null;
  balance: JsonValue;
  transactions: JsonValue;
  launchAgain: boolean;
  hideExit: boolean;
  options: JsonObject;
  meta: JsonObject;
  success: true;
  [key: string]: JsonValue;
}

/** Options of `Okra.buildWithOptions`. Every okra-js option is accepted; these are the ones okra-events checks. */
export interface OkraOptions {
  /** Required, non-empty. */
  key: string;
  /** Required, non-empty. */
  token: string;
  /** Default `production-sandbox`; anything else throws. */
  env?: 'production' | 'production-sandbox';
  products?: string[];
  /** `https:` URL (`http:` only for localhost, 127.0.0.1 or [::1]) that receives every event. */
  event_callback_url?: string | null;
  /** Echoed in success and close metadata. */
  options?: JsonObject;
  /** Echoed in success and close metadata. */
  meta?: JsonObject;
  onSuccess?: (data: OkraSuccessData) => void;
  /**
   * `error` is what `fail()` was given: an `Error` stays itself, a string becomes
   * `{ message }`, and an object arrives as a copy without credentials. For bad options it
   * is the `TypeError` that is thrown; for delivery problems an {@link OkraDeliveryError}.
   * Narrow it by `error.type`.
   */
  onError?: (json: OkraSessionMetadata | OkraBuildErrorJson, error: OkraError) => void;
  /** Called as this session's events are delivered to, or refused by, the webhook. */
  onDelivery?: (report: OkraDeliveryReport) => void;
  onClose?: (json: OkraSessionMetadata, error: OkraErrorInfo | null) => void;
  onEvent?: (event: OkraEvent) => void;
  beforeClose?: (json: OkraSessionMetadata) => void;
  /** Connection-attempt limit in ms (default 120000). */
  timeout?: number;
  /** How long an outage may last before it is an error, in ms (default 15000). */
  reconnect_grace?: number;
  /** Other okra-js options (name, logo, color, limit, currency, customer, ...) are accepted and kept. */
  [other: string]: unknown;
}

/** The errors a host reports itself: a widget that could not start, or did not load. */
export type OkraHostError = OkraWidgetFailed | OkraWidgetLoadTimeout;

/** The error `onError` receives when the widget did not connect within `widgetTimeout`. */
export interface OkraWidgetLoadTimeout {
  type: 'WIDGET_LOAD_TIMEOUT';
  /** What happened, and the likely causes in order. */
  message: string;
  /** The `widgetUrl` that did not connect. */
  widget_url: string;
  /** `widgetTimeout`, in ms. */
  timeout: number;
}

/** The error `onError` receives, within a second, when the widget says it cannot start. */
export interface OkraWidgetFailed {
  type: 'WIDGET_FAILED';
  /**
   * `WASM_UNAVAILABLE`: the widget's page does not allow WebAssembly (its `script-src` lacks
   * `'wasm-unsafe-eval'`); `HOST_NOT_ALLOWED`: this page's origin is not in the widget's
   * `allowedOrigins`; `NOT_FRAMED`: the widget's page found itself outside a frame.
   */
  reason: 'WASM_UNAVAILABLE' | 'HOST_NOT_ALLOWED' | 'NOT_FRAMED';
  message: string;
  /** The `widgetUrl` that failed. */
  widget_url: string;
}

/**
 * Host mode: the options of `buildWithOptions` on the merchant's page, with the `widgetUrl`
 * that opens the widget in its own origin. Every option but the functions and `container`
 * is posted to the widget (only to the exact origin of `widgetUrl`, never in its URL).
 */
export interface OkraHostOptions extends OkraOptions {
  /** The widget's page: `https:` (`http:` only for localhost, 127.0.0.1, [::1]). Its exact origin is the only one trusted. */
  widgetUrl: string;
  /** Where the iframe goes. Default: a modal dialog over the page, on `document.body`. */
  container?: Element | null;
  /** How long the widget may take to connect, in ms (default 20000). */
  widgetTimeout?: number;
  /**
   * Exactly once per handle, last. `onError` gets the widget's errors and the host's own
   * ({@link OkraHostError}); an `Error` the widget passed to `fail()` arrives as
   * `{ name, message }`, since errors cross the origin as data.
   */
  onClose?: (json: OkraSessionMetadata, error: OkraMetadataError | null) => void;
}

/** The widget opened in its own origin, as the merchant's page holds it. */
export interface OkraWidget {
  /** Asks the widget to close: its closing events arrive, then `onClose`. Closed anyway after 3 s. Safe to call twice. */
  close(): void;
  /** Removes the iframe, every listener and timer at once; no callback fires after it. Safe to call twice. */
  destroy(): void;
  /** The events received from the widget, oldest first, each `event_id` once. */
  events(): OkraEvent[];
  /** The widget's current session id, or null before its first event. */
  readonly sessionId: string | null;
  /** The widget's iframe. */
  readonly iframe: HTMLIFrameElement;
}

