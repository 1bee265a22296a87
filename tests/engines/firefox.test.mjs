// The cross-engine end-to-end suite (suite.mjs) in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi).
import { defineSuite } from './suite.mjs';

defineSuite('firefox');
