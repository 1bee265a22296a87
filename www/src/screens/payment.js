// Paying the merchant: review the payment, then authorize it.
import { h } from '../dom.js';
import { ACCOUNTS, PAYMENT, formatNaira } from '../sample-data.js';
import { errorLine, field, submitButton } from './parts.js';

export function reviewPayment(w) {
  const account = (w.state.account ??= ACCOUNTS[0]);
  const payment = { amount: PAYMENT.amount, currency: PAYMENT.currency, reference: PAYMENT.reference };
  w.screen('review_payment', { bank: w.state.bank.slug, ...payment });
  w.render(
    'Review your payment',
    h('dl', { class: 'summary' },
      h('dt', {}, 'Amount'), h('dd', {}, h('strong', {}, formatNaira(PAYMENT.amount))),
      h('dt', {}, 'To'), h('dd', {}, 'Acme Wallet'),
      h('dt', {}, 'From'), h('dd', {}, `${w.state.bank.name} ${account.type} ••${account.nuban.slice(-4)}`),
      h('dt', {}, 'Reference'), h('dd', {}, PAYMENT.reference)),
    h('button', {
      class: 'btn primary block',
      onclick: () => {
        w.track('USER_CONFIRM_PAYMENT', payment);
        w.next();
      },
    }, 'Confirm payment'),
  );
}

export function authorizePayment(w) {
  w.screen('authorize_payment', { bank: w.state.bank.slug, reference: PAYMENT.reference });
  const pin = h('input', { name: 'pin', type: 'password', inputmode: 'numeric', required: true, pattern: '\\d{4}', maxlength: 4 });
  const error = errorLine();
  const submit = submitButton('Authorize', 'Authorizing…');

  function payNow() {
    w.track('USER_PAYMENT_ACKNOWLEDGED', { reference: PAYMENT.reference, amount: PAYMENT.amount });
    w.state.payment = PAYMENT;
    w.next();
  }

  async function onSubmit(e) {
    e.preventDefault();
    error.textContent = '';
    if (!navigator.onLine) {
      error.textContent = "You're offline. Connect to the internet, then try again.";
      return;
    }
    // The PIN goes to the SDK on purpose: okra-events must scrub it.
    w.track('USER_AUTHORIZE_PAYMENT', { reference: PAYMENT.reference, pin: pin.value });
    submit.setBusy(true);
    const answer = await w.bank();
    submit.setBusy(false);
    if (answer.offline) {
      error.textContent = 'Your connection dropped while authorizing. Please try again.';
      return;
    }
    w.render(
      'Payment authorized',
      h('p', {}, `${w.state.bank.name} authorized ${formatNaira(PAYMENT.amount)} to Acme Wallet.`),
      h('button', { class: 'btn primary block', onclick: payNow }, `Pay now ${formatNaira(PAYMENT.amount)}`),
    );
  }

  w.render(
    'Authorize the payment',
    h('form', { class: 'form', onsubmit: onSubmit },
      field('Transaction PIN', pin),
      h('p', { class: 'hint muted' }, 'Sandbox: any 4 digits.'),
      error,
      submit),
  );
}
