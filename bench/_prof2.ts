import { readCroissant, recordRows } from '../src/lib/croissant/index.ts';
import { nodeResolver } from '../src/lib/io/node.ts';
const resolver = nodeResolver();
const { metadata } = await readCroissant(process.argv[2]!, { resolver });
const t0 = performance.now();
const c0 = process.cpuUsage();
let n = 0;
for await (const r of recordRows(metadata!, process.argv[3]!, { resolver })) {
  n++;
  if (n === 1) console.log(r);
}
console.log(n, ((performance.now() - t0) / 1e3).toFixed(2), process.cpuUsage(c0));
