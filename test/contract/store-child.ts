/**
 * A child process for the cross-process tests in store.node.test.ts, run with
 * `node --import tsx test/contract/store-child.ts <mode> <lake dir> <count> [log file]`.
 * Children start together: each writes `<lake dir>/ready-<pid>` and waits for `<lake dir>/go`,
 * so that they really contend (starting tsx takes longer than the work itself).
 *
 * - `cas`:  `count` read-modify-cas increments of entry `counter`, retrying on conflict.
 * - `lock`: `count` times, takes lock `lake` and appends `enter <pid>` / `exit <pid>` lines
 *           to the log file, so that the parent can see whether two holders overlapped.
 */
import { access, appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';

const [mode, dir, countArg, log] = process.argv.slice(2);
if (!dir || !countArg) throw new Error('usage: store-child.ts cas|lock <dir> <count> [log]');
const count = Number(countArg);
const backend = await openNodeBackend(dir);
await writeFile(join(dir, `ready-${process.pid}`), '');
for (;;) {
  try {
    await access(join(dir, 'go'));
    break;
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

if (mode === 'cas') {
  let conflicts = 0;
  for (let i = 0; i < count; i++) {
    for (;;) {
      const cur = await backend.refs.get<number>('counter');
      if (await backend.refs.cas('counter', cur?.version ?? 0, (cur?.value ?? 0) + 1)) break;
      conflicts++;
    }
  }
  process.stdout.write(JSON.stringify({ conflicts }));
} else if (mode === 'lock' && log) {
  for (let i = 0; i < count; i++) {
    await backend.locks.withLock('lake', async () => {
      await appendFile(log, `enter ${process.pid}\n`);
      await new Promise((resolve) => setTimeout(resolve, 2));
      await appendFile(log, `exit ${process.pid}\n`);
    });
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
