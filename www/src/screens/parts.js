// Small pieces several screens share.
import { h } from '../dom.js';

/** A round badge with the bank's initials (the sandbox ships no logos). */
export function bankLogo(bank) {
  const initials = bank.name.split(/\s+/).slice(0, 2).map((w) => w[0]).join('').toUpperCase();
  return h('span', { class: 'bank-logo', style: { background: bank.color }, 'aria-hidden': 'true' }, initials);
}

/** A submit button that can show it is waiting for the bank. */
export function submitButton(label, busyLabel) {
  const button = h('button', { class: 'btn primary block', type: 'submit' }, label);
  button.setBusy = (busy) => {
    button.disabled = busy;
    button.textContent = busy ? busyLabel : label;
  };
  return button;
}

/** A line for errors the user must see; empty until set. */
export function errorLine() {
  return h('p', { class: 'form-error', role: 'alert' });
}

export function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}
