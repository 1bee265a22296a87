// One small driver over three browser engines, so the cross-engine tests
// (suite.mjs) run the same assertions in each:
//
//   chromium  Debian's Chromium through playwright-core (CDP; started by this
//             file, with Chromium's own defaults: see launchChromium);
//   firefox   Debian's Firefox ESR through puppeteer-core over WebDriver BiDi
//             (no geckodriver);
//   webkit    WebKitGTK's MiniBrowser through Debian's WebKitWebDriver (classic
//             WebDriver, plain HTTP from Node), under an Xvfb display that this
//             file starts on a free display number and stops.
//
// The whole interface, on purpose no more than the tests need:
//
//   const engine = await launch('firefox');   // { name, version, offline, newContext(), close() }
//   const ctx = await engine.newContext();     // a fresh profile/context: own storage
//   await engine.newContext({ thirdPartyStorage: 'allowed' | 'refused' })   // see below
//   await engine.newContext({ private: true })  // a private window (PRIVATE below)
//   await ctx.goto(url);                       // waits for the load event
//   await ctx.evaluate(fn, arg);               // fn: (arg) => value or promise; value must be JSON
//   await ctx.waitFor(fn, arg, 'what');        // polls evaluate until truthy; returns the value
//   await ctx.reload();
//   await ctx.setOffline(true | false);        // see `offline` below
//   await ctx.press('Tab');                    // a key as the user presses it: see `Input` below
//   await ctx.click(x, y);                     // the mouse, at a point of the viewport
//   await ctx.wheel(x, y, deltaY);             // the mouse wheel, there
//   const tab = await ctx.newTab();            // another tab of the same profile:
//                                              //   goto, evaluate, waitFor, reload, close
//   await ctx.close();
//
// `fn` is sent as source text (fn.toString()) and compiled by the automation
// protocol, not by the page, so it runs on pages whose Content Security
// Policy forbids eval. It must not close over Node variables: pass `arg`.
//
// Input: press(key) takes 'Tab', 'Shift+Tab', 'Escape' or 'Enter', and each
// engine sends it as the operating system would, to whatever has focus, in
// whichever frame and origin that is: Chromium through CDP
// (Input.dispatchKeyEvent), Firefox through BiDi input.performActions, WebKit
// through classic WebDriver's Perform Actions. The same for click and wheel,
// at CSS pixels of the viewport.
//
// Network emulation: Chromium (CDP) and Firefox (BiDi emulation.setNetworkConditions)
// really take the context offline. Classic WebDriver has no such command, so for
// WebKit setOffline() is a substitute: it overrides navigator.onLine and
// dispatches the window's `offline` / `online` events, which is what the package
// listens to; requests still go out. `engine.offline` says which one an engine
// uses, and the tests put it in their names.
//
// Contexts are fresh profiles with each engine's default settings. What a
// cross-site iframe (the widget on the merchant's page) may store differs by
// default, so the bridge tests choose it with `thirdPartyStorage`:
//   'allowed'  the iframe may store, partitioned per top site: every
//              engine's default (Chromium also in Incognito and with
//              third-party cookies blocked).
//   'refused'  no storage at all: localStorage throws, indexedDB.open fails,
//              navigator.locks.request rejects. Chromium set to not let sites
//              save data (profile.default_content_setting_values.cookies = 2,
//              written into the fresh profile; first-party storage too);
//              Firefox with "block all third-party cookies"
//              (network.cookie.cookieBehavior = 1, a second Firefox started
//              when first asked for). WebKitGTK's WebDriver has no such
//              setting: there the context is ordinary and
//              `ctx.blockStorageSubstitute` tells the test to make the widget
//              page's storage APIs throw instead (fixtures/block-storage.js).
// THIRD_PARTY_STORAGE says which, for test names.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Generous: the suite must pass on a loaded 2-core machine. */
export const WAIT_MS = 30_000;

export const ENGINES = ['chromium', 'firefox', 'webkit'];

const EMULATED = 'network emulation';
const SUBSTITUTE = "SUBSTITUTE: navigator.onLine overridden + window 'offline'/'online' events (WebDriver has no network emulation)";

/** How each engine gets each third-party storage mode (for test names). */
export const THIRD_PARTY_STORAGE = {
  allowed: {
    chromium: "Chromium's default",
    firefox: "Firefox's default",
    webkit: "WebKitGTK's default",
  },
  refused: {
    chromium: "Chromium set to not let sites save data (cookies blocked)",
    firefox: 'Firefox blocking all third-party cookies (cookieBehavior=1)',
    webkit: 'SUBSTITUTE: the widget page makes localStorage, indexedDB.open and navigator.locks throw SecurityError (WebKitGTK has no such WebDriver setting)',
  },
};

/** What `newContext({ private: true })` is in each engine (for test names). */
export const PRIVATE = {
  chromium: "Chromium's Incognito (an off-the-record context)",
  firefox: 'Firefox private browsing (browser.privatebrowsing.autostart)',
  webkit: 'SUBSTITUTE: an ordinary WebDriver session, which starts with empty storage (WebDriver has no private-browsing switch)',
};

/** How each engine's setOffline() works, known before launch (for test names). */
export const OFFLINE = { chromium: `${EMULATED} (CDP)`, firefox: `${EMULATED} (BiDi)`, webkit: SUBSTITUTE };

/** Starts an engine. */
export async function launch(name) {
  switch (name) {
    case 'chromium': return launchChromium();
    case 'firefox': return launchFirefox();
    case 'webkit': return launchWebKit();
    default: throw new Error(`unknown engine ${name}; one of ${ENGINES.join(', ')}`);
  }
}

/** The expression a driver evaluates: fn(arg), awaited, as JSON text. */
function expression(fn, arg) {
  return `(async () => JSON.stringify(await (${fn.toString()})(${JSON.stringify(arg ?? null)}) ?? null))()`;
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// Every process this file starts (Chromium, Xvfb, WebKitWebDriver) is killed
// if the test process ends without closing it: a test runner's time-out or a
// Ctrl-C must not leave an Xvfb or a browser behind.
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

/** Adds waitFor() to a context that has evaluate(). */
function withWaitFor(ctx) {
  ctx.waitFor = async (fn, arg, what, timeout = WAIT_MS) => {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await ctx.evaluate(fn, arg);
        if (last) return last;
      } catch (e) {
        // A navigation in progress: try again.
        last = e;
      }
      if (Date.now() > deadline) {
        const seen = last instanceof Error ? last.message : JSON.stringify(last)?.slice(0, 300);
        throw new Error(`[${ctx.engine}] timed out after ${timeout} ms waiting for ${what} (last: ${seen})`);
      }
      await sleep(50);
    }
  };
  return ctx;
}

/** The keys press() takes, and the modifier held with a key ('Shift+Tab'). */
const KEYS = ['Tab', 'Escape', 'Enter'];
function parseKey(key) {
  const [modifier, name] = key.includes('+') ? key.split('+') : [null, key];
  if (!KEYS.includes(name) || (modifier && modifier !== 'Shift')) throw new Error(`press(): unknown key ${key}`);
  return { modifier, name };
}

/**
 * goto, reload, evaluate, close and the input calls on a Playwright or
 * Puppeteer page (the same calls, but for holding a modifier).
 */
function pageApi(engine, page) {
  return withWaitFor({
    engine,
    goto: (url) => page.goto(url, { waitUntil: 'load' }).then(() => {}),
    reload: () => page.reload({ waitUntil: 'load' }).then(() => {}),
    evaluate: async (fn, arg) => JSON.parse(await page.evaluate(expression(fn, arg))),
    async press(key) {
      const { modifier, name } = parseKey(key);
      if (modifier) await page.keyboard.down(modifier);
      if (name === 'Escape') {
        // Escape in the widget closes it, and the merchant page then removes
        // the widget's frame, maybe before the frame has acknowledged the key:
        // an acknowledgement that never comes (seen in Chromium: press() hung
        // 2 times in 3). The key is sent, not waited for; the tests wait for
        // what it does.
        page.keyboard.down(name).catch(() => {});
        page.keyboard.up(name).catch(() => {});
      } else {
        await page.keyboard.press(name);
      }
      if (modifier) await page.keyboard.up(modifier);
    },
    click: (x, y) => page.mouse.click(x, y),
    async wheel(x, y, deltaY) {
      await page.mouse.move(x, y);
      // Playwright: wheel(deltaX, deltaY); Puppeteer: wheel({ deltaX, deltaY }).
      await (engine === 'chromium' ? page.mouse.wheel(0, deltaY) : page.mouse.wheel({ deltaY }));
    },
    close: () => page.close().catch(() => {}),
  });
}

/** In the page: the substitute for network emulation (see the top of this file). */
function substituteOffline(offline) {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => !offline });
  window.dispatchEvent(new Event(offline ? 'offline' : 'online'));
  return navigator.onLine;
}

// ---- Chromium: playwright-core ---------------------------------------------------

// Chromium is started here and Playwright connects to it over CDP, instead of
// chromium.launch(): Playwright's launch passes its own
// --disable-features=...,ThirdPartyStoragePartitioning,..., and with that a
// cross-site iframe in an Incognito context gets no storage at all, which is
// not what Chromium does for anyone (measured: Chromium 156 with its own
// defaults, Incognito, or third-party cookies blocked, gives the iframe
// partitioned storage). Each context is its own browser with a fresh profile,
// whose settings are written before it starts.
const CHROMIUM_ARGS = ['--headless', '--remote-debugging-port=0', '--no-sandbox', '--disable-gpu',
  '--no-first-run', '--no-default-browser-check', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', 'about:blank'];

async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const binary = process.env.CHROMIUM || '/usr/bin/chromium';
  let version = null;
  const open = new Set();

  /** A Chromium on a fresh profile with `prefs`: { browser, stop() }. */
  async function start(prefs) {
    const dir = await mkdtemp(join(tmpdir(), 'okra-engines-chromium-'));
    if (prefs) {
      await mkdir(join(dir, 'Default'), { recursive: true });
      await writeFile(join(dir, 'Default', 'Preferences'), JSON.stringify(prefs));
    }
    const child = track(spawn(binary, [`--user-data-dir=${dir}`, ...CHROMIUM_ARGS], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const stop = async () => {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    };
    try {
      const ws = await new Promise((ok, fail) => {
        let err = '';
        const timer = setTimeout(() => fail(new Error(`Chromium did not start: ${err.slice(-1000)}`)), WAIT_MS);
        child.stderr.on('data', (d) => {
          err = (err + d).slice(-4000);
          const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
          if (m) {
            clearTimeout(timer);
            ok(m[1]);
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          fail(new Error(`Chromium exited (${code}): ${err.slice(-1000)}`));
        });
      });
      child.stderr.resume();
      const browser = await chromium.connectOverCDP(ws);
      version ??= browser.version();
      return { browser, stop };
    } catch (e) {
      await stop();
      throw e;
    }
  }

  return {
    name: 'chromium',
    get version() {
      return `Chromium ${version ?? '?'}`;
    },
    offline: OFFLINE.chromium,
    async newContext({ thirdPartyStorage, private: incognito = false } = {}) {
      // 'refused': "Don't allow sites to save data" (cookies blocked for every
      // site), the one Chromium setting measured to refuse an iframe storage.
      const prefs = thirdPartyStorage === 'refused' ? { profile: { default_content_setting_values: { cookies: 2 } } } : null;
      const { browser, stop } = await start(prefs);
      let context;
      let page;
      try {
        // An off-the-record context of that browser is an Incognito window.
        context = incognito ? await browser.newContext() : browser.contexts()[0];
        context.setDefaultTimeout(WAIT_MS);
        page = context.pages()[0] ?? await context.newPage();
      } catch (e) {
        await browser.close().catch(() => {});
        await stop();
        throw e;
      }
      const ctx = Object.assign(pageApi('chromium', page), {
        setOffline: (offline) => context.setOffline(offline),
        newTab: async () => pageApi('chromium', await context.newPage()),
        async close() {
          if (!open.delete(ctx)) return;
          await browser.close().catch(() => {});
          await stop();
        },
      });
      open.add(ctx);
      return ctx;
    },
    async close() {
      for (const ctx of [...open]) await ctx.close();
    },
  };
}

// ---- Firefox: puppeteer-core over WebDriver BiDi ------------------------------------------

async function launchFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const start = (prefs = {}) => puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    protocolTimeout: 60_000,
    extraPrefsFirefox: {
      // A test profile: no updates, telemetry or first-run pages.
      'app.update.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      ...prefs,
    },
  });
  const browser = await start();
  let blocking = null;
  let privately = null;
  return {
    name: 'firefox',
    version: (await browser.version()).replace(/^firefox\//i, 'Firefox ESR '),
    offline: OFFLINE.firefox,
    async newContext({ thirdPartyStorage, private: privateMode = false } = {}) {
      // "Block cookies: all third-party cookies" refuses third-party storage too.
      const refused = thirdPartyStorage === 'refused';
      if (refused) blocking ??= await start({ 'network.cookie.cookieBehavior': 1 });
      // "Always use private browsing mode": every window is private.
      if (privateMode) privately ??= await start({ 'browser.privatebrowsing.autostart': true });
      const context = await (privateMode ? privately : refused ? blocking : browser).createBrowserContext();
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      page.setDefaultNavigationTimeout(WAIT_MS);
      return Object.assign(pageApi('firefox', page), {
        setOffline: (offline) => page.setOfflineMode(offline),
        async newTab() {
          const tab = await context.newPage();
          tab.setDefaultTimeout(WAIT_MS);
          tab.setDefaultNavigationTimeout(WAIT_MS);
          return pageApi('firefox', tab);
        },
        close: () => context.close(),
      });
    },
    async close() {
      await blocking?.close();
      await privately?.close();
      await browser.close();
    },
  };
}

// ---- WebKit: WebKitWebDriver + MiniBrowser under Xvfb, plain HTTP --------------------------

/** WebDriver's code points for the keys press() takes. */
const WEBDRIVER_KEYS = { Tab: '\uE004', Enter: '\uE007', Escape: '\uE00C', Shift: '\uE008' };

const WEBKIT_DRIVER = process.env.WEBKITWEBDRIVER || '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** A TCP port that was free a moment ago. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts Xvfb on a display it picks itself (-displayfd): resolves to { display, stop() }. */
function startXvfb() {
  return new Promise((ok, fail) => {
    const xvfb = track(spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    }));
    let stderr = '';
    let out = '';
    xvfb.stderr.on('data', (d) => { stderr += d; });
    xvfb.once('error', fail);
    xvfb.once('exit', (code) => fail(new Error(`Xvfb exited (${code}) before it was ready: ${stderr.slice(-500)}`)));
    xvfb.stdio[3].on('data', (d) => {
      out += d;
      if (!out.includes('\n')) return;
      const display = `:${out.trim()}`;
      xvfb.removeAllListeners('exit');
      ok({ display, stop: () => stopProcess(xvfb) });
    });
  });
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      ok();
    });
    child.kill('SIGTERM');
  });
}

async function launchWebKit() {
  for (const file of [WEBKIT_DRIVER, MINIBROWSER]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/setup.sh (Debian package webkit2gtk-driver)`);
  }
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = track(spawn(WEBKIT_DRIVER, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let log = '';
  driver.stdout.on('data', (d) => { log = (log + d).slice(-4000); });
  driver.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const base = `http://127.0.0.1:${port}`;

  async function call(method, path, body) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const v = json.value ?? {};
      throw new Error(`[webkit] WebDriver ${method} ${path}: ${res.status} ${v.error ?? ''}: ${v.message ?? JSON.stringify(json)}`);
    }
    return json.value;
  }

  const stopAll = async () => {
    await stopProcess(driver);
    await xvfb.stop();
  };
  try {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const ready = await call('GET', '/status').then((v) => v?.ready, () => false);
      if (ready) break;
      if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode}): ${log}`);
      if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not answer on ${base}: ${log}`);
      await sleep(100);
    }
  } catch (e) {
    await stopAll();
    throw e;
  }

  const sessions = new Set();
  let version = 'WebKitGTK';

  return {
    name: 'webkit',
    get version() {
      return version;
    },
    offline: OFFLINE.webkit,
    async newContext({ thirdPartyStorage } = {}) {
      // One WebDriver session is one MiniBrowser process, which starts with
      // empty storage: a fresh profile.
      const created = await call('POST', '/session', {
        capabilities: {
          alwaysMatch: {
            'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
            pageLoadStrategy: 'normal',
            timeouts: { script: WAIT_MS, pageLoad: WAIT_MS },
          },
        },
      });
      const id = created.sessionId;
      sessions.add(id);
      const caps = created.capabilities ?? {};
      version = `WebKitGTK ${caps.browserVersion ?? '?'} (${caps.browserName ?? 'MiniBrowser'})`;
      const s = (path) => `/session/${id}${path}`;
      // Tabs share the session; commands go to the current window, so every
      // call switches to its tab first, one call at a time.
      let queue = Promise.resolve();
      let current = await call('GET', s('/window'));
      const main = current;
      const serial = (handle, work) => {
        const run = queue.then(async () => {
          if (handle !== current) {
            await call('POST', s('/window'), { handle });
            current = handle;
          }
          return work();
        });
        queue = run.catch(() => {});
        return run;
      };
      const tabApi = (handle) => withWaitFor({
        engine: 'webkit',
        goto: (url) => serial(handle, () => call('POST', s('/url'), { url }).then(() => {})),
        reload: () => serial(handle, () => call('POST', s('/refresh'), {}).then(() => {})),
        evaluate: (fn, arg) => serial(handle, async () => {
          const script = `const done = arguments[arguments.length - 1];
            ${expression(fn, arg)}.then((v) => done({ v }), (e) => done({ e: String(e && e.stack || e) }));`;
          const out = await call('POST', s('/execute/async'), { script, args: [] });
          if (out?.e) throw new Error(`[webkit] in the page: ${out.e}`);
          return JSON.parse(out.v);
        }),
        press(key) {
          const { modifier, name } = parseKey(key);
          const k = (type, value) => ({ type, value });
          const keys = [k('keyDown', WEBDRIVER_KEYS[name]), k('keyUp', WEBDRIVER_KEYS[name])];
          if (modifier) {
            keys.unshift(k('keyDown', WEBDRIVER_KEYS[modifier]));
            keys.push(k('keyUp', WEBDRIVER_KEYS[modifier]));
          }
          return perform(handle, [{ type: 'key', id: 'keyboard', actions: keys }]);
        },
        click: (x, y) => perform(handle, [{
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        }]),
        wheel: (x, y, deltaY) => perform(handle, [{
          type: 'wheel',
          id: 'wheel',
          actions: [{ type: 'scroll', x: Math.round(x), y: Math.round(y), deltaX: 0, deltaY, origin: 'viewport' }],
        }]),
        close: () => serial(handle, () => call('DELETE', s('/window')).then(() => {
          current = null;
        })).catch(() => {}),
      });
      /** Perform Actions, then Release Actions, in `handle`'s tab. */
      const perform = (handle, actions) => serial(handle, async () => {
        await call('POST', s('/actions'), { actions });
        await call('DELETE', s('/actions'));
      });
      const ctx = Object.assign(tabApi(current), {
        // No WebDriver setting for it: the test makes the widget page refuse storage.
        blockStorageSubstitute: thirdPartyStorage === 'refused',
        async setOffline(offline) {
          const onLine = await ctx.evaluate(substituteOffline, offline);
          if (onLine === offline) throw new Error('[webkit] the navigator.onLine substitute did not take');
        },
        async newTab() {
          const { handle } = await serial(main, () => call('POST', s('/window/new'), { type: 'tab' }));
          return tabApi(handle);
        },
        async close() {
          if (!sessions.delete(id)) return;
          await call('DELETE', s('')).catch(() => {});
        },
      });
      return ctx;
    },
    async close() {
      for (const id of [...sessions]) {
        sessions.delete(id);
        await call('DELETE', `/session/${id}`).catch(() => {});
      }
      await stopAll();
    },
  };
}
