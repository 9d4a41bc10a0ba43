/**
 * The conformance suite in Chromium through the browser-file adapter: each dataset's folder is
 * fetched from the test server and handed over as files, as when a user drops the folder.
 */
import { filesResolver } from '../../src/lib/io/browser-files.ts';
import { conformanceSuite } from './conformance-suite.ts';

const files = Object.keys(
  import.meta.glob('../fixtures/croissant/**/*.{json,csv,zip,txt,parquet,mp3,jpg,png}'),
);
// The test server serves the project root; this file lives in test/unit/.
const testDir = `${location.origin}/test/unit/`;

conformanceSuite({
  name: 'chromium',
  async open(doc) {
    const folder = `../fixtures/croissant/${doc.slice(0, doc.lastIndexOf('/') + 1)}`;
    const entries = await Promise.all(
      files
        .filter((f) => f.startsWith(folder))
        .map(async (f) => {
          const res = await fetch(new URL(f, testDir));
          if (!res.ok) throw new Error(`test server: HTTP ${res.status} for ${f}`);
          return { path: f.slice(folder.length), file: await res.blob() };
        }),
    );
    return { location: doc.slice(doc.lastIndexOf('/') + 1), resolver: filesResolver(entries) };
  },
});
