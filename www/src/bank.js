// The simulated bank behind the sandbox widget: its bank list, its
// credentials rules and a request that takes a while to answer.

export const BANKS = [
  { slug: 'alat', name: 'ALAT by Wema', color: '#d6006f', types: ['personal'] },
  { slug: 'access-bank', name: 'Access Bank', color: '#b45309', types: ['personal', 'business'] },
  { slug: 'first-bank', name: 'First Bank', color: '#003b73', types: ['personal', 'business'] },
  { slug: 'gtbank', name: 'GTBank', color: '#b44700', types: ['personal', 'business'] },
  { slug: 'kuda', name: 'Kuda', color: '#40196d', types: ['personal'] },
  { slug: 'uba', name: 'UBA', color: '#c8102e', types: ['personal', 'business'] },
  { slug: 'zenith-bank', name: 'Zenith Bank', color: '#e30613', types: ['personal', 'business'] },
  // Always refuses the login: the sandbox's way to show the failure path.
  { slug: 'failbank', name: 'Failbank', color: '#6b7280', types: ['personal', 'business'] },
];

export function bankBySlug(slug) {
  return BANKS.find((b) => b.slug === slug);
}

export function searchBanks(query, accountType) {
  const q = query.trim().toLowerCase();
  return BANKS.filter((b) => b.types.includes(accountType) && b.name.toLowerCase().includes(q));
}

/** Why the bank refuses a login, or null when it accepts it. */
export function loginRefusal(bank, password) {
  if (bank.slug === 'failbank') {
    return { type: 'BANK_UNAVAILABLE', message: `${bank.name} is not available right now.` };
  }
  if (password === 'wrong') {
    return { type: 'INVALID_CREDENTIALS', message: 'The username or password is incorrect.' };
  }
  return null;
}

/**
 * Waits for the bank to answer, like a fetch would.
 * Resolves `{ offline: false }` after `delayMs`, or `{ offline: true }` as
 * soon as the browser is or goes offline (the request fails). When `signal`
 * aborts (the widget moved on or closed) it never settles, so the step that
 * was waiting never resumes.
 */
export function bankAnswer(delayMs, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return;
    if (!navigator.onLine) {
      resolve({ offline: true });
      return;
    }
    const stop = () => {
      clearTimeout(timer);
      window.removeEventListener('offline', onOffline);
      signal.removeEventListener('abort', stop);
    };
    const onOffline = () => {
      stop();
      resolve({ offline: true });
    };
    const timer = setTimeout(() => {
      stop();
      resolve({ offline: false });
    }, delayMs);
    window.addEventListener('offline', onOffline);
    signal.addEventListener('abort', stop);
  });
}
