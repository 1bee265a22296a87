// The cross-engine end-to-end suite (suite.mjs) in Debian's Chromium (playwright-core).
import { defineSuite } from './suite.mjs';

defineSuite('chromium');
