/**
 * `node bench/child/cpu-of.mjs SCRIPT [ARGS…]` runs SCRIPT (an ES module) with ARGS as its own
 * command line and, as the process exits, writes to file descriptor 3 one line of JSON: the
 * process's whole CPU time (`process.cpuUsage()`: Node's start, loading, the work, in µs) and
 * its peak resident memory. bench/cli.ts measures child processes with it, as
 * `/usr/bin/time` would, without depending on it.
 */
import { writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node bench/child/cpu-of.mjs SCRIPT [ARGS…]');
  process.exit(2);
}
const file = path.resolve(script);
process.argv = [process.argv[0], file, ...args];
process.on('exit', () => {
  const cpu = process.cpuUsage();
  const line = { userUs: cpu.user, systemUs: cpu.system, maxRssKb: process.resourceUsage().maxRSS };
  writeSync(3, JSON.stringify(line) + '\n');
});
await import(pathToFileURL(file).href);
