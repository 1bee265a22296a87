// The cross-engine end-to-end suite (suite.mjs) in WebKitGTK's MiniBrowser (WebKitWebDriver under Xvfb).
import { defineSuite } from './suite.mjs';

defineSuite('webkit');
