// A merchant's React app for the okra-events/react tests, under <StrictMode>,
// with a tiny history.pushState router. Query string (kept across routes):
//   a, b, c=<url>     the widgetUrl of the checkout of that name
//   a_timeout=<ms>    its widgetTimeout (likewise for b and c)
//   a_overlay         it opens in the default overlay, not in its own container
//   auto              the checkouts open their widget as they mount
//   throw             every callback throws after recording its call
//   bad               the key is empty (a bad option)
// Records every callback in window.__log as { who, gen, name, ... } (gen: the
// render whose callbacks got the call), and each checkout's mounts in
// window.__mounts.
import { StrictMode, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { useOkraWidget } from 'okra-events/react';

const q = new URLSearchParams(location.search);
const log = (window.__log = []);
const mounts = (window.__mounts = {});

// ---- the router: history.pushState, back and forward ---------------------------

const onNavigate = (notify) => {
  addEventListener('popstate', notify);
  return () => removeEventListener('popstate', notify);
};
const path = () => location.pathname;

function go(to) {
  history.pushState(null, '', to + location.search);
  dispatchEvent(new PopStateEvent('popstate'));
}

function Link({ to, children }) {
  return <a href={to + location.search} onClick={(e) => { e.preventDefault(); go(to); }}>{children}</a>;
}

// ---- a checkout: one component, one widget -------------------------------------

function Checkout({ who }) {
  const [gen, setGen] = useState(1);
  const [plan, setPlan] = useState('basic');
  const slot = useRef(null);
  const note = (name, fields) => {
    log.push({ who, gen, name, ...fields });
    if (q.has('throw')) throw new Error(`${who}'s ${name} throws`);
  };
  const timeout = q.get(`${who}_timeout`);
  const { open, close, ready, error, widget } = useOkraWidget({
    key: q.has('bad') ? '' : 'pk_test_react',
    token: 'tok_test_react',
    widgetUrl: q.get(who),
    container: q.has(`${who}_overlay`) ? undefined : slot,
    ...(timeout && { widgetTimeout: Number(timeout) }),
    meta: { plan },
    onEvent: (e) => note('onEvent', { event: e.event_name, id: e.event_id, session: e.session_id, seq: e.sequence }),
    onSuccess: (data) => note('onSuccess', { plan: data.meta.plan }),
    onError: (_json, err) => note('onError', { type: err.type, error: err instanceof Error ? err.name : 'data' }),
    beforeClose: () => note('beforeClose'),
    onClose: () => note('onClose'),
  });
  useEffect(() => {
    mounts[who] = (mounts[who] ?? 0) + 1;
  }, [who]);
  useEffect(() => {
    if (q.has('auto')) open();
  }, [open]);
  return (
    <section aria-label={`checkout ${who}`}>
      <button onClick={open} disabled={!ready}>Open {who}</button>
      <button onClick={close}>Close {who}</button>
      <button onClick={() => setGen((g) => g + 1)}>New callbacks {who}</button>
      <button onClick={() => setPlan('gold')}>Gold plan {who}</button>
      <output aria-label={`status ${who}`}>
        {widget ? 'open' : 'closed'}
        {error ? `; error ${error.type ?? '(no type)'}${error instanceof Error ? ` (${error.name})` : ''}: ${error.message}` : ''}
      </output>
      <div ref={slot} style={{ width: 360, height: 240 }} />
    </section>
  );
}

// ---- pages ---------------------------------------------------------------------

function Home() {
  return (
    <nav>
      <Link to="/checkout">Checkout</Link> <Link to="/two">Two checkouts</Link> <Link to="/unmount">Unmount</Link>
    </nav>
  );
}

/** Three checkouts; a button unmounts a and c, and b stays. */
function Unmount() {
  const [shown, setShown] = useState(true);
  const hide = () => {
    log.push({ name: 'unmounted a and c' });
    setShown(false);
  };
  return (
    <>
      <button onClick={hide}>Unmount a and c</button>
      {shown && <Checkout who="a" />}
      {shown && <Checkout who="c" />}
      <Checkout who="b" />
    </>
  );
}

const PAGES = {
  '/checkout': () => <Checkout who="a" />,
  '/two': () => (
    <>
      <Checkout who="a" />
      <Checkout who="b" />
    </>
  ),
  '/unmount': Unmount,
};

function App() {
  const route = useSyncExternalStore(onNavigate, path);
  const Page = PAGES[route] ?? Home;
  return (
    <main>
      <p>
        <Link to="/">Home</Link> · route {route}
      </p>
      <Page />
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
