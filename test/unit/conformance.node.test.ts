import { fileURLToPath } from 'node:url';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { conformanceSuite } from './conformance-suite.ts';

const root = fileURLToPath(new URL('../fixtures/croissant/', import.meta.url));

conformanceSuite({
  name: 'node',
  open: (doc) => Promise.resolve({ location: root + doc, resolver: nodeResolver() }),
});
