// Choosing the account to link, then fetching its balance and transactions.
import { h } from '../dom.js';
import { ACCOUNTS, formatNaira } from '../sample-data.js';
import { errorLine } from './parts.js';

const mask = (nuban) => `••${nuban.slice(-4)}`;

export function accounts(w) {
  w.screen('account_selection', { bank: w.state.bank.slug });
  const form = h('form', {
    class: 'form',
    onsubmit: (e) => {
      e.preventDefault();
      const account = ACCOUNTS.find((a) => a.id === new FormData(form).get('account'));
      w.state.account = account;
      w.track('USER_ACCOUNT_SELECTED', { account_id: account.id, account_type: account.type });
      w.next();
    },
  },
  h('fieldset', { class: 'accounts' },
    h('legend', { class: 'muted' }, 'Choose the account to link'),
    ACCOUNTS.map((a, i) => h('label', { class: 'account' },
      h('input', { type: 'radio', name: 'account', value: a.id, checked: i === 0 }),
      h('span', {}, h('strong', {}, `${a.type} ${mask(a.nuban)}`), h('span', { class: 'muted' }, w.state.bank.name))))),
  h('button', { class: 'btn primary block', type: 'submit' }, 'Link account'));
  w.render('Select an account', form);
}

export async function balance(w) {
  const account = w.state.account;
  w.screen('balance', { bank: w.state.bank.slug, account_id: account.id });
  const status = h('p', { class: 'status', role: 'status' }, 'Fetching your balance…');
  const error = errorLine();
  w.render(`${account.type} ${mask(account.nuban)}`, status, error);

  const offline = () => {
    status.textContent = '';
    error.textContent = 'We lost the connection while talking to your bank.';
    error.after(h('button', { class: 'btn block', onclick: () => w.goto('balance') }, 'Try again'));
  };

  w.track('USER_FETCH_BALANCE', { account_id: account.id });
  if ((await w.bank()).offline) return offline();
  w.track('USER_RETRIEVED_BALANCE', { account_id: account.id, currency: 'NGN' });
  status.replaceChildren(h('span', { class: 'muted' }, 'Available balance'), h('strong', { class: 'amount' }, formatNaira(account.balance)));
  // The sandbox "sends" the balance webhook at once, then pulls transactions.
  w.track('USER_BALANCE_SENT', { account_id: account.id });
  w.track('USER_FETCH_TRANS', { account_id: account.id });
  const more = h('p', { class: 'muted' }, 'Fetching your transactions…');
  status.after(more);
  if ((await w.bank()).offline) return offline();
  more.textContent = 'Your transactions will be sent to Acme Wallet shortly.';
  more.after(h('button', { class: 'btn primary block', onclick: () => w.next() }, 'Continue'));
}
