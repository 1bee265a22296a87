// okra-events/react: `useOkraWidget`, a React hook over okra-events/host's
// `buildWithOptions` (README, "React"). Rendering never touches the page: the
// iframe is made only by `open()`, after the component has mounted. Every
// callback the host fires reads the props of the latest committed render, so
// a new callback identity re-creates nothing; unmounting destroys the widget.

import { useCallback, useEffect, useInsertionEffect, useLayoutEffect, useRef, useState } from 'react';
import { buildWithOptions } from '../host/index.js';

/** The callbacks the host fires, each passed to it as a stable function that calls the latest one. */
const CALLBACKS = ['onEvent', 'onSuccess', 'onError', 'beforeClose', 'onClose'];

/** The host's own errors for a widget that could not load: they go to `error` as well as `onError`. */
const LOAD_FAILURES = ['WIDGET_LOAD_TIMEOUT', 'WIDGET_FAILED'];

/**
 * A layout effect in the browser, so the hook is mounted before any
 * `useEffect` of the component can call `open()`; a plain effect on the
 * server, where neither runs (and React 18 would warn about a layout one).
 */
const useMountEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** Options as plain objects are: `{}` or `Object.create(null)`, nothing the host would refuse as a whole. */
const isPlain = (o) => o !== null && typeof o === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(o));

/**
 * Opens the widget of `options` (okra-events/host's options, with
 * `container` also accepted as a React ref) and tracks it. Returns
 * `{ open, close, ready, error, widget }`; see react.d.ts.
 */
export function useOkraWidget(options) {
  /** The options of the latest committed render. */
  const latest = useRef(options);
  /** The open widget's handle, or null. */
  const current = useRef(null);
  /** Whether the component is mounted: `open()` does nothing otherwise. */
  const mounted = useRef(false);
  const [ready, setReady] = useState(false);
  const [widget, setWidget] = useState(null);
  const [error, setError] = useState(null);

  // Before any layout effect or event of this commit can call back.
  useInsertionEffect(() => {
    latest.current = options;
  });

  useMountEffect(() => {
    mounted.current = true;
    setReady(true);
    // A remount (StrictMode's) finds the widget of the first mount destroyed.
    setWidget(current.current);
    return () => {
      mounted.current = false;
      const open = current.current;
      current.current = null;
      open?.destroy();
    };
  }, []);

  const open = useCallback(() => {
    if (!mounted.current || current.current) return;
    const given = latest.current;
    let handle;
    let options = given;
    if (isPlain(given)) {
      options = { ...given };
      const container = given.container;
      if (container && !(typeof Element === 'function' && container instanceof Element) && 'current' in container) {
        options.container = container.current;
      }
      for (const name of CALLBACKS) {
        if (given[name] != null && typeof given[name] !== 'function') continue; // the host names it in its TypeError
        options[name] = (...args) => {
          // The hook's own state first, so a callback that throws cannot leave it behind.
          if (handle && handle === current.current) {
            if (name === 'onError' && LOAD_FAILURES.includes(args[1]?.type)) setError(args[1]);
            if (name === 'onClose') {
              current.current = null;
              setWidget(null);
            }
          }
          const fn = latest.current?.[name];
          if (typeof fn === 'function') fn(...args);
        };
      }
    }
    try {
      handle = buildWithOptions(options);
    } catch (thrown) {
      setError(thrown);
      return;
    }
    current.current = handle;
    setWidget(handle);
    setError(null);
  }, []);

  const close = useCallback(() => current.current?.close(), []);

  return { open, close, ready, error, widget };
}
