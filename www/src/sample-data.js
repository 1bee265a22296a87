// The sandbox customer and the data handed to handler.success(), in the
// shape of the onSuccess example in the widget's docs (okra-widget-events).

const CUSTOMER_ID = '61e7dc95d8b92c006348cf0e';
const RECORD_ID = '627a80914bff31001e9ee9d1';

export const CUSTOMER = {
  name: 'Prosper Smith',
  phoneHint: '0930****1282',
  // Banks this customer linked before: the returning-user screen lists them.
  linkedBanks: [
    { slug: 'alat', username: 'prosper.smith', nuban: '2377140061' },
    { slug: 'gtbank', username: 'psmith', nuban: '0123456789' },
  ],
};

export const ACCOUNTS = [
  { id: '61e7dcb74063c16cf13c50c2', nuban: '2377140061', type: 'Current', balance: 10089755 },
  { id: '61e7dcb74063c16cf13c50d5', nuban: '2377141117', type: 'Domiciliary', balance: 10079766 },
  { id: '61e7dcb74063c16cf13c50e2', nuban: '2377146155', type: 'Savings', balance: 10139547 },
];

export const PAYMENT = { amount: 500000, currency: 'NGN', reference: 'ACME-ORDER-1001' };

/** Kobo to "₦100,897.55". */
export function formatNaira(kobo) {
  return `₦${(kobo / 100).toLocaleString('en-NG', { minimumFractionDigits: 2 })}`;
}

function bankDetails(bank) {
  return {
    _id: `bank-${bank.slug}`,
    name: bank.name,
    slug: bank.slug,
    logo: null,
    icon: null,
    png_logo: null,
    v2_logo: null,
    v2_icon: null,
  };
}

function balanceRows(accounts) {
  return accounts.map((a) => ({
    available_balance: a.balance,
    ledger_balance: a.balance,
    currency: 'NGN',
    name: CUSTOMER.name,
    nuban: a.nuban,
    ref: `${a.type.toLowerCase()}-account`,
    status: 'active',
    type: a.type,
    account: a.id,
  }));
}

/**
 * The onSuccess data for a linked bank.
 * @param {{ bank: object, accountId?: string, payment?: object }} linked
 */
export function successData({ bank, accountId, payment }) {
  const bankId = `bank-${bank.slug}`;
  const rows = balanceRows(ACCOUNTS);
  const authorization = payment
    ? { id: `auth-${payment.reference}`, status: 'authorized', ...payment }
    : null;
  return {
    auth: {
      bank_details: bankDetails(bank),
      bank_id: bankId,
      clientId: 'okr-demo-acme-wallet',
      customer_id: CUSTOMER_ID,
      status: true,
      type: 'validate',
      login_type: 'bank',
    },
    income: null,
    identity: {
      fullname: 'Prosper Faith Smith',
      firstname: 'Prosper',
      lastname: 'Smith',
      middlename: 'Faith',
      customer: CUSTOMER_ID,
      env: 'production-sandbox',
      verified: true,
      verification_country: 'NG',
    },
    error: null,
    payment_authorization: authorization,
    authorization_id: authorization?.id ?? null,
    authorizationId: authorization?.id ?? null,
    done: true,
    accounts: ACCOUNTS.map((a) => ({
      manual: false,
      nuban: a.nuban,
      id: a.id,
      connected: a.id === accountId,
      name: CUSTOMER.name,
      type: a.type,
    })),
    record_id: RECORD_ID,
    record: RECORD_ID,
    bank_id: bankId,
    customer_id: CUSTOMER_ID,
    balance: { formatted: rows, data: { formatted: rows } },
    transactions: {
      transactions: {
        callback_url: `https://api.okra.ng/v2/callback?record=${RECORD_ID}&method=TRANSACTIONS`,
      },
    },
    launchAgain: false,
    hideExit: false,
  };
}
