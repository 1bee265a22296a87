// A returning customer picks one of the banks they linked before.
import { h } from '../dom.js';
import { bankBySlug } from '../bank.js';
import { CUSTOMER } from '../sample-data.js';
import { bankLogo } from './parts.js';

export function ruxBanks(w) {
  w.screen('rux_bank_selection');

  function choose(linked) {
    const bank = bankBySlug(linked.slug);
    w.state.bank = bank;
    w.state.username = linked.username;
    w.track('USER_RUX_BANK_SELECTED', { bank: bank.slug });
    w.next();
  }

  function notFound() {
    // The customer's bank is not among those found for them: link a new one.
    w.track('USER_RUX_NOT_FOUND', { linked_banks: CUSTOMER.linkedBanks.length });
    w.switchFlow('link', 'banks');
  }

  w.render(
    `Welcome back, ${CUSTOMER.name.split(' ')[0]}`,
    h('p', { class: 'muted' }, 'Continue with a bank you linked before.'),
    h('ul', { class: 'bank-list' }, CUSTOMER.linkedBanks.map((linked) => {
      const bank = bankBySlug(linked.slug);
      return h('li', {}, h('button', { class: 'bank', dataset: { bank: bank.slug }, onclick: () => choose(linked) },
        bankLogo(bank), h('span', {}, bank.name, h('span', { class: 'muted' }, ` ••${linked.nuban.slice(-4)}`))));
    })),
    h('button', { class: 'link-button', onclick: notFound }, "My bank isn't listed"),
  );
}
