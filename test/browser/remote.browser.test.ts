/**
 * The remote suite (test/unit/remote-suite.ts) in Chromium: the same push, clone, pull, race,
 * protection, corruption and fault tests, through the page's fetch with CORS, against s3rver as
 * it is and through the conditional proxy, both started in the vitest server's Node process.
 */
import { remoteSuite } from '../unit/remote-suite.ts';
import { browserTarget } from './s3-target.ts';

remoteSuite(browserTarget, false);
remoteSuite(browserTarget, true);
