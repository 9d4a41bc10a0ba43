/**
 * Collects garbage with no grace period, over and over, until a stop file appears: what a user
 * running `croissant-lake gc --grace-ms 0` in a loop beside an ingest does. Prints `READY` after
 * its first collection, and at the end `{runs, deferred, deleted}` as JSON.
 *
 *   node --import tsx test/regression/gc-loop-child.ts <lake dir> <stop file>
 */
import { existsSync } from 'node:fs';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { collectGarbage } from '../../src/lib/versions/gc.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

const [dir, stop] = process.argv.slice(2);
const lake = await Lake.open(await openNodeBackend(dir!));
const stats = { runs: 0, deferred: 0, deleted: 0 };
do {
  const r = await collectGarbage(lake, { graceMs: 0 });
  if (stats.runs++ === 0) console.log('READY');
  if (r.deferred) stats.deferred++;
  stats.deleted += r.deleted;
} while (!existsSync(stop!));
console.log(JSON.stringify(stats));
