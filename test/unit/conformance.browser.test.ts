/**
 * The conformance suite in Chromium, through the fetch adapter against the test server. Local
 * FileSets are listed from the files the server holds for that dataset's folder.
 */
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { urlSource } from '../../src/lib/io/fetch.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { conformanceSuite } from './conformance-suite.ts';

const files = Object.keys(import.meta.glob('../fixtures/croissant/**/data/**/*'));
const base = new URL('../fixtures/croissant/', import.meta.url).href;

function resolver(): Resolver {
  const f = fetchResolver();
  return {
    resolve: f.resolve,
    async *list(doc) {
      const dir = doc.slice(0, doc.lastIndexOf('/') + 1);
      for (const key of files) {
        const url = new URL(key, import.meta.url).href;
        if (url.startsWith(dir)) yield { path: url.slice(dir.length), source: urlSource(url) };
      }
    },
  };
}

conformanceSuite({ name: 'chromium', locate: (doc) => base + doc, resolver });
