// The flows the merchant page can open, as ordered steps, and the registry
// of step functions. A step renders its screen and calls w.next() when done.
import { landing, consent, loginMethod } from './screens/start.js';
import { banks } from './screens/banks.js';
import { login, mfa } from './screens/login.js';
import { accounts, balance } from './screens/accounts.js';
import { reviewPayment, authorizePayment } from './screens/payment.js';
import { ruxBanks } from './screens/returning.js';
import { success, failure } from './screens/outcome.js';

export const STEPS = {
  landing, consent, loginMethod, banks, login, mfa, accounts, balance,
  reviewPayment, authorizePayment, ruxBanks, success, failure,
};

export const FLOWS = {
  /** Link a bank account: auth, balance and transactions. */
  link: {
    steps: ['landing', 'consent', 'loginMethod', 'banks', 'login', 'mfa', 'accounts', 'balance', 'success'],
    retryFrom: 'banks',
  },
  /** Pay the merchant straight from a bank account. */
  pay: {
    steps: ['landing', 'consent', 'loginMethod', 'banks', 'login', 'reviewPayment', 'authorizePayment', 'success'],
    retryFrom: 'banks',
  },
  /** A customer who linked banks before picks one of them again. */
  returning: {
    steps: ['ruxBanks', 'login', 'success'],
    retryFrom: 'ruxBanks',
  },
};
