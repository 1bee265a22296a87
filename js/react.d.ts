// TypeScript declarations for okra-events/react: `useOkraWidget`, a React hook
// over okra-events/host. They need no React types of their own.

import type { OkraHostError, OkraHostOptions, OkraOptionsError, OkraWidget } from './types.js';

export * from './types.js';

/** A React ref to an element, as `useRef<HTMLDivElement>(null)` makes it. */
export interface OkraContainerRef {
  readonly current: Element | null;
}

/**
 * The options of {@link useOkraWidget}: okra-events/host's options (`widgetUrl`, the okra
 * options and the callbacks), with `container` also accepted as a ref, read when `open()`
 * is called.
 */
export type OkraReactOptions = {
  [K in keyof OkraHostOptions as K extends 'container' ? never : K]: OkraHostOptions[K];
} & {
  /** Where the iframe goes: an element, or a ref to one. Default (or a ref still empty): a full-viewport modal dialog. */
  container?: Element | OkraContainerRef | null;
};

/**
 * Why the last `open()` did not give a working widget, narrowed by `type`: the `TypeError` of
 * bad options (`INVALID_OPTIONS`, also passed to `onError`); as `onError` received it, a widget
 * that did not connect within `widgetTimeout` (`WIDGET_LOAD_TIMEOUT`) or that said it cannot
 * start (`WIDGET_FAILED`); or, with no `type`, the `Error` of a second overlay widget while one
 * is open on the page.
 */
export type OkraOpenError = OkraOptionsError | OkraHostError | (Error & { type?: undefined });

/** What {@link useOkraWidget} returns. */
export interface OkraWidgetControls {
  /**
   * Opens the widget with the options of the latest render. Does nothing while a widget of this
   * hook is open, before the component has mounted (`ready` is false) or after it unmounted.
   * Never throws: a failure goes to `error` (and to `onError`, as okra-events/host sends it).
   */
  open(): void;
  /** Asks the open widget to close (its closing events arrive, then `onClose`); does nothing when none is open. */
  close(): void;
  /** True once the component has mounted in a browser; false on the server and in the first render. */
  readonly ready: boolean;
  /** The last `open()`'s failure, or null; the next successful `open()` clears it. */
  readonly error: OkraOpenError | null;
  /** The open widget's handle, or null: before `open()`, and once `onClose` has fired. */
  readonly widget: OkraWidget | null;
}

/**
 * Opens the widget in its own origin from a React component, with okra-events/host.
 *
 * - Rendering never touches `window` or `document`; the iframe is made only by `open()`.
 * - Every callback the widget fires is the latest render's: a new callback identity re-creates
 *   nothing.
 * - Other options are read when `open()` is called: changing them leaves an open widget as it is.
 * - Unmounting destroys the open widget: its iframe is removed and no callback fires after.
 *   Under StrictMode's mount, unmount and remount, at most one iframe is left.
 */
export declare function useOkraWidget(options: OkraReactOptions): OkraWidgetControls;
