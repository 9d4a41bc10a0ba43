/**
 * Remotes (issue 17) against a real S3 API server on 127.0.0.1: s3rver as it is (it ignores
 * conditional writes) and through a proxy that honours them, the same suite for both.
 */
import { startTarget } from '../s3/targets.ts';
import { remoteSuite } from './remote-suite.ts';

remoteSuite(startTarget, false);
remoteSuite(startTarget, true);
