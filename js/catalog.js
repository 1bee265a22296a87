// The event catalog as plain data, generated from crates/core/src/catalog.rs
// by crates/core/tests/generated.rs (OKRA_REGENERATE=1 cargo test -p
// okra-events-core --test generated). Do not edit: the test fails when this
// file differs from the core.

/** Every event name, canonical, in the documentation's order. */
export const NAMES = [
  "USER_CONNECTING",
  "USER_CONNECTED",
  "USER_CONSENT_GRANTED",
  "USER_CONSENT_REVIEW",
  "USER_LOGIN_SELECTION",
  "USER_VIEWED_BANKS",
  "USER_ACCOUNT_TYPE_SELECTION",
  "USER_BANK_SEARCH",
  "USER_BANK_SELECTED",
  "USER_BANK_SEARCH_NO_RESULTS",
  "USER_LOGIN_ATTEMPTED",
  "USER_ACCOUNT_SELECTION",
  "USER_ACCOUNT_SELECTED",
  "USER_FETCH_BALANCE",
  "USER_RETRIEVED_BALANCE",
  "USER_BALANCE_SENT",
  "USER_FETCH_TRANS",
  "USER_RETRY_OTP",
  "USER_MFA_QUESTION",
  "USER_COMPLETE_MFA",
  "USER_PAYMENT_REVIEW",
  "USER_CONFIRM_PAYMENT",
  "USER_AUTHORIZE_PAYMENT",
  "USER_PAYMENT_ACKNOWLEDGED",
  "USER_RUX_SELECTION",
  "USER_RUX_BANK_SELECTED",
  "USER_RUX_NOT_FOUND",
  "USER_NETWORK_DISCONNECTED",
  "USER_NETWORK_RECONNECTED",
  "USER_TIMEOUT",
  "USER_BOUNCE",
  "USER_CONNECTION_FAILED",
  "USER_CONNECTION_SUCCESSFUL",
  "WIDGET_COMPLETE_PROFILING",
  "USER_PROFILE_ACCOUNT_REVIEW",
  "USER_APP_CLOSE",
  "USER_APP_REDIRECT",
];

/** The categories `CATEGORY_OF` indexes. */
export const CATEGORIES = [
  "auth",
  "payment",
  "returning_user",
  "network",
  "general",
];

/** Each name's category: one digit per name, an index into `CATEGORIES`. */
export const CATEGORY_OF = "0000000000000000000011112223333334444";

/** Every screen, in the order of the widget's flow. */
export const SCREENS = [
  "landing",
  "login_method",
  "bank",
  "search",
  "no_search_result",
  "login",
  "account_selection",
  "balance",
  "mfa",
  "review_payment",
  "authorize_payment",
  "rux_bank_selection",
  "success",
  "failure",
];

/** Each name's documented screen: a letter per name (`a` is `SCREENS[0]`), or `-` for none. */
export const SCREEN_OF = "aabbbccddefgghhhhiiijjkklll----------";

/** Whether the widget reports each name with `track` (`1`) or okra-events emits it (`0`). */
export const TRACKED = "0011101010101111110101110110000001101";

/** Each name's description, from the widget's documentation. */
export const DESCRIPTIONS = [
  "The user is attempting to connect to the widget e.g. user has launched our SDK.",
  "The SDK has been fully loaded and the user can now interact with the Okra widget.",
  "The user clicked on continue to grant data consent on sharing their accounts.",
  "The user clicked on view the Okra terms of service and privacy policy.",
  "The login method that the user selected from the login selection screen. Possible options: • Internet banking, • Mobile banking",
  "The user has landed on the bank selection screen.",
  "The user toggled the Business/Personal button on the widget.",
  "The user has engaged in the search for a bank in the search bar (for at least 5 secs).",
  "The user clicked on a bank.",
  "The user hasn't received any results from their search term entered in the search bar.",
  "The user has entered their credentials and clicked on the login button in order to proceed with the connection.",
  "The user has landed on the account selection screen on the Okra Widget.",
  "The user has selected the account they would like to connect to Okra.",
  "Okra is pulling the user's balance.",
  "Okra successfully retrieved the user's balance.",
  "A webhooks was triggered for the user's balance.",
  "Okra is pulling the user's transactions.",
  "The user has clicked on the option to get a new OTP code.",
  "The user has landed on the MFA question screen on the Okra widget.",
  "The user has submitted their MFA answer.",
  "The user is reviewing the payment",
  "The user confirmed the payment.",
  "The user completed the payment authorization",
  "The user clicks the Pay Now button",
  "A user viewed a list of their existing banks.",
  "The user selects an existing account.",
  "No user accounts were found for provided identification.",
  "The user lost internet connectivity or experiencing connection issues.",
  "The user has reconnected to the Okra widget.",
  "The connection attempt to the user has timed out.",
  "The user has closed the Okra widget without completing the whole flow.",
  "The user has failed to connect to their account. In order to get more details on the failure, please review the {property} in the same payload.",
  "The user has successfully connected their account to Okra.",
  "The user has not completed setting up this internet or mobile banking account and was asked to complete profiling their profile.",
  "The user was asked to profile the device to the bank.",
  "The user has closed the widget from the success or failure screen.",
  "Redirect to page of choice after app close.",
];

/** Accepted on input as another spelling of `USER_NETWORK_DISCONNECTED`. */
export const ALIAS = "WIDGET_USER_INTERNET_DISCONNECTED";
