// The first steps: landing, data consent and the login method.
import { h } from '../dom.js';

const PERMISSIONS = {
  link: ['Account details and identity', 'Account balance', 'Transactions (last 12 months)'],
  pay: ['Account details', 'A one-off payment of ₦5,000.00 to Acme Wallet'],
};

export function landing(w) {
  w.screen('landing');
  w.render(
    'Acme Wallet uses Okra to connect your bank',
    h('ul', { class: 'ticks' },
      h('li', {}, 'Secure: your credentials are encrypted and never shared with Acme Wallet.'),
      h('li', {}, 'Private: you choose what Acme Wallet can see.')),
    h('button', { class: 'btn primary block', onclick: () => w.next() }, 'Continue'),
  );
}

// The docs list the consent events under the login-method screen, so the
// consent step reports screen `login_method`; the method choice that follows
// is the same screen and reports no new transition.
export function consent(w) {
  w.screen('login_method');
  const terms = h('div', { class: 'terms', hidden: true },
    h('p', {}, 'Okra only reads the data listed above, only for Acme Wallet, and you can revoke access at any time.'));
  w.render(
    'Acme Wallet would like to access',
    h('ul', { class: 'ticks' }, (PERMISSIONS[w.flowName] ?? PERMISSIONS.link).map((p) => h('li', {}, p))),
    h('button', {
      class: 'link-button',
      onclick: () => {
        w.track('USER_CONSENT_REVIEW');
        terms.hidden = false;
      },
    }, 'View the terms of service and privacy policy'),
    terms,
    h('button', {
      class: 'btn primary block',
      onclick: () => {
        w.track('USER_CONSENT_GRANTED');
        w.next();
      },
    }, 'I agree, continue'),
  );
}

export function loginMethod(w) {
  const choose = (method) => () => {
    w.state.loginMethod = method;
    w.track('USER_LOGIN_SELECTION', { login_method: method });
    w.next();
  };
  // The button's text is its name, the method alone (WCAG 2.5.3: the name
  // holds the visible label); the hint beside it describes it, and the
  // whole card is the button's target (see .choice in style.css).
  const choice = (method, label, hint) =>
    h('div', { class: 'choice' },
      h('button', { class: 'choice-button', onclick: choose(method), 'aria-describedby': `${method}-hint` }, label),
      h('span', { class: 'muted', id: `${method}-hint` }, hint));
  w.render(
    'How do you log in to your bank?',
    h('div', { class: 'choices' },
      choice('internet_banking', 'Internet banking', 'Username and password'),
      choice('mobile_banking', 'Mobile banking', 'Your mobile app login')),
  );
}
