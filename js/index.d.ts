// TypeScript declarations for okra-events.

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
  session_id: string;
  tracking_id: string;
  last_screen: OkraScreen | null;
  /** Closed without a successful connection. */
  bounced: boolean;
  success: boolean;
  events_count: number;
  /** The last error shown to the user, or null. */
  error: OkraErrorInfo | null;
  options: JsonObject;
  meta: JsonObject;
  /** In `onClose` only: this session's events at the webhook. */
  delivery?: { delivered: number; pending: number; dropped: number };
}

/** A delivery problem, passed to `onError` as its `error` argument. */
export type OkraDeliveryError =
  | { type: 'QUEUE_OVERFLOW'; dropped: number; ended: boolean; message: string }
  | { type: 'STORAGE_UNAVAILABLE'; message: string }
  | { type: 'DELIVERY_REJECTED'; status: number; dropped: number; message: string };

/** What `onDelivery` receives when some of the session's events leave the webhook queue. */
export interface OkraDeliveryReport {
  /** `delivered`: answered 2xx; `rejected`: refused with a 4xx; `dropped`: the queue was full. */
  state: 'delivered' | 'rejected' | 'dropped';
  event_ids: string[];
  /** The HTTP status, for `rejected`. */
  status?: number;
}

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

/** What `onError` receives as `json` when `buildWithOptions` refuses its options. */
export interface OkraBuildErrorJson {
  error: { type: 'INVALID_OPTIONS' | 'NO_WINDOW'; option?: string; message: string };
}

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
  /** `https:` URL (`http:` only for localhost / 127.0.0.1) that receives every event. */
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
   */
  onError?: (json: OkraSessionMetadata | OkraBuildErrorJson, error: unknown) => void;
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
  screen(name: OkraScreen | Uppercase<OkraScreen>, details?: JsonObject | null): void;
  /**
   * An event the widget observed. Case-insensitive. Automatic events throw a TypeError, and so
   * does data that would make the event over 32 KiB of JSON (nothing is emitted or queued).
   */
  track(eventName: OkraTrackableEventName | Lowercase<OkraTrackableEventName>, data?: JsonObject | null): void;
  /** The account was linked. Throws a TypeError if its ids would make the event over 32 KiB. */
  success(data?: Partial<OkraSuccessData> | JsonObject): void;
  /** The connection failed. Throws a TypeError if `error` would make the event over 32 KiB. */
  fail(error?: unknown): void;
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

/** The okra-events API. */
export interface OkraStatic {
  /** Builds a handler and emits USER_CONNECTING. Throws a TypeError naming a bad option. */
  buildWithOptions(options: OkraOptions): OkraHandler;
  /** The event catalog. */
  readonly events: readonly OkraCatalogEntry[];
  readonly version: string;
}

export declare const Okra: OkraStatic;
export default Okra;
