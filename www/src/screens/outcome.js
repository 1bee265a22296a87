// The end of a flow: the account is linked (or paid), or it failed.
import { h } from '../dom.js';
import { formatNaira, successData } from '../sample-data.js';

export function success(w) {
  const { bank, account, payment } = w.state;
  w.screen('success', { bank: bank.slug });
  w.state.linked = true;
  w.handler.success(successData({ bank, accountId: account?.id, payment }));
  w.render(
    payment ? 'Payment successful' : 'Account linked',
    h('p', { class: 'success-mark', 'aria-hidden': 'true' }, '✓'),
    h('p', {}, payment
      ? `You paid ${formatNaira(payment.amount)} to Acme Wallet from ${bank.name}.`
      : `Your ${bank.name} account is now connected to Acme Wallet.`),
    h('button', { class: 'btn primary block', onclick: () => w.close() }, 'Done'),
  );
}

export function failure(w) {
  const { reason, title, message } = w.state.failure;
  w.screen('failure', { reason });
  w.render(
    title,
    h('p', { class: 'failure-mark', 'aria-hidden': 'true' }, '!'),
    h('p', {}, message),
    h('button', { class: 'btn primary block', onclick: () => w.retry() }, 'Try again'),
    h('button', { class: 'btn block', onclick: () => w.close() }, 'Close'),
  );
}
