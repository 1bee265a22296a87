// Logging in to the bank, then the one-time code (MFA).
import { h } from '../dom.js';
import { loginRefusal } from '../bank.js';
import { CUSTOMER } from '../sample-data.js';
import { bankLogo, errorLine, field, submitButton } from './parts.js';

const OFFLINE_BEFORE = "You're offline. Connect to the internet, then try again.";
const OFFLINE_DURING = 'Your connection dropped while we were contacting your bank. Please try again.';

export function login(w) {
  const bank = w.state.bank;
  w.screen('login', { bank: bank.slug });

  const username = h('input', { name: 'username', autocomplete: 'username', required: true, value: w.state.username ?? '' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = errorLine();
  const submit = submitButton('Log in', 'Connecting to your bank…');

  async function onSubmit(e) {
    e.preventDefault();
    error.textContent = '';
    if (!navigator.onLine) {
      error.textContent = OFFLINE_BEFORE;
      return;
    }
    w.state.username = username.value;
    // The password goes to the SDK on purpose: okra-events must scrub it.
    w.track('USER_LOGIN_ATTEMPTED', { bank: bank.slug, username: username.value, password: password.value });
    submit.setBusy(true);
    const answer = await w.bank();
    submit.setBusy(false);
    if (answer.offline) {
      // okra-events reported USER_NETWORK_DISCONNECTED with withError: true.
      error.textContent = OFFLINE_DURING;
      return;
    }
    const refusal = loginRefusal(bank, password.value);
    if (refusal) w.fail({ ...refusal, bank: bank.slug });
    else w.next();
  }

  w.render(
    `Log in to ${bank.name}`,
    h('div', { class: 'bank-heading' }, bankLogo(bank), h('span', { class: 'muted' },
      w.state.loginMethod === 'mobile_banking' ? 'Use your mobile app login' : 'Use your internet banking login')),
    h('form', { class: 'form', onsubmit: onSubmit },
      field('Username', username),
      field('Password', password),
      h('p', { class: 'hint muted' }, 'Sandbox: any username; the password "wrong" is refused.'),
      error,
      submit),
  );
}

export function mfa(w) {
  const bank = w.state.bank;
  w.screen('mfa', { bank: bank.slug });

  const otp = h('input', { name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, pattern: '\\d{6}', maxlength: 6 });
  const note = h('p', { class: 'note muted', role: 'status' });
  const error = errorLine();
  const submit = submitButton('Verify', 'Verifying…');

  function resend() {
    w.track('USER_RETRY_OTP', { channel: 'sms' });
    note.textContent = `A new code was sent to ${CUSTOMER.phoneHint}.`;
  }

  async function onSubmit(e) {
    e.preventDefault();
    error.textContent = '';
    if (!navigator.onLine) {
      error.textContent = OFFLINE_BEFORE;
      return;
    }
    w.track('USER_COMPLETE_MFA', { bank: bank.slug, otp: otp.value });
    submit.setBusy(true);
    const answer = await w.bank();
    submit.setBusy(false);
    if (answer.offline) error.textContent = OFFLINE_DURING;
    else w.next();
  }

  w.render(
    'Enter the code from your bank',
    h('p', {}, `${bank.name} sent a 6-digit code to ${CUSTOMER.phoneHint}.`),
    h('form', { class: 'form', onsubmit: onSubmit },
      field('One-time code', otp),
      h('button', { type: 'button', class: 'link-button', onclick: resend }, "Didn't get it? Send a new code"),
      note,
      error,
      submit),
  );
}
