import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { nodeResolver } from '../src/lib/io/node.ts';
import { openNodeBackend } from '../src/lib/store/node-fs.ts';
import { ingest } from '../src/lib/versions/ingest.ts';
import { Lake } from '../src/lib/versions/lake.ts';
const stats: Record<string, { n: number; ms: number }> = {};
function wrap<T extends object>(o: T, name: string): T {
  return new Proxy(o, {
    get(t, k) {
      const v = (t as any)[k];
      if (typeof v !== 'function') return v;
      return (...a: any[]) => {
        const r = v.apply(t, a);
        if (r && typeof r.then === 'function') {
          const t0 = performance.now();
          const key = `${name}.${String(k)}`;
          return r.finally(() => {
            const s = (stats[key] ??= { n: 0, ms: 0 });
            s.n++;
            s.ms += performance.now() - t0;
          });
        }
        return r;
      };
    },
  });
}
const dir = await mkdtemp(join(os.tmpdir(), 'clb-'));
const b = await openNodeBackend(dir);
const backend = {
  chunks: wrap(b.chunks, 'chunks'),
  refs: wrap(b.refs, 'refs'),
  locks: wrap(b.locks, 'locks'),
};
const lake = await Lake.open(backend as any);
const t0 = performance.now();
let last = '';
await ingest(lake, process.argv[2]!, {
  resolver: nodeResolver(),
  dataset: 'x',
  onProgress: (p) => {
    if (p.phase !== last) {
      console.log(p.phase, ((performance.now() - t0) / 1e3).toFixed(2));
      last = p.phase;
    }
  },
});
console.log('total', ((performance.now() - t0) / 1e3).toFixed(2), process.cpuUsage());
console.log(stats);
await rm(dir, { recursive: true });
