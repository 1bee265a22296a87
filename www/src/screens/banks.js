// The bank list: a Personal/Business toggle, a search box and the banks.
// While the user types, the reported screen follows what they see:
// `bank` (empty query), `search` (results) or `no_search_result`.
import { h } from '../dom.js';
import { searchBanks } from '../bank.js';
import { bankLogo } from './parts.js';

export function banks(w) {
  let shown = 'bank';
  w.screen('bank', { account_type: w.state.accountType });

  const list = h('ul', { class: 'bank-list' });
  const empty = h('p', { class: 'empty', hidden: true });
  const search = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Search for your bank',
    'aria-label': 'Search for your bank',
    oninput: () => update(),
  });
  const toggle = h('div', { class: 'toggle', role: 'group', 'aria-label': 'Account type' },
    ['personal', 'business'].map((type) =>
      h('button', { dataset: { type }, 'aria-pressed': String(type === w.state.accountType), onclick: () => selectType(type) },
        type === 'personal' ? 'Personal' : 'Business')));

  function selectType(type) {
    if (type === w.state.accountType) return;
    w.state.accountType = type;
    for (const b of toggle.children) b.setAttribute('aria-pressed', String(b.dataset.type === type));
    w.track('USER_ACCOUNT_TYPE_SELECTION', { account_type: type });
    update();
  }

  function choose(bank) {
    w.state.bank = bank;
    w.track('USER_BANK_SELECTED', { bank: bank.slug });
    w.next();
  }

  function update() {
    const query = search.value.trim();
    const found = searchBanks(query, w.state.accountType);
    list.replaceChildren(...found.map((bank) =>
      h('li', {}, h('button', { class: 'bank', dataset: { bank: bank.slug }, onclick: () => choose(bank) },
        bankLogo(bank), h('span', {}, bank.name)))));
    empty.hidden = found.length > 0;
    empty.textContent = `No bank matches "${query}". Check the spelling or try another name.`;

    const target = query === '' ? 'bank' : found.length ? 'search' : 'no_search_result';
    if (target === shown) return;
    shown = target;
    // Only the no-results screen carries the query: it is what analytics
    // needs to spot missing banks. Going back to `bank` re-emits
    // USER_VIEWED_BANKS, as the user is shown the full list again.
    w.screen(target, target === 'no_search_result'
      ? { account_type: w.state.accountType, query }
      : { account_type: w.state.accountType });
  }

  w.render('Select your bank', toggle, search, list, empty);
  update();
}
