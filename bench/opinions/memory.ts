/**
 * Peak memory of Chromium's processes, from Linux's /proc: the high-water mark of resident memory
 * (VmHWM) of every process under the browser launched with a profile folder. A page and its
 * dedicated workers (DuckDB-WASM's among them) live in one renderer process, so its VmHWM is the
 * peak of page and worker together, exact, with no sampling.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One Chromium process: its type (`browser`, `renderer`, `gpu-process`, `utility`…) and peak. */
export interface ProcessPeak {
  pid: number;
  type: string;
  peakBytes: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Every process of the Chromium using `profile`, with its peak RSS; empty off Linux. */
export function chromiumPeaks(profile: string): ProcessPeak[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    const line = read(`/proc/${pid}/cmdline`);
    if (!stat || line === null) continue;
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(pid, Number(fields[1]));
    cmd.set(pid, line.replaceAll('\0', ' '));
  }
  const root = pids.find(
    (p) => cmd.get(p)?.includes(`--user-data-dir=${profile}`) && !cmd.get(p)?.includes('--type='),
  );
  if (root === undefined) return [];
  const inTree = (p: number) => {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === root) return true;
    }
    return false;
  };
  const out: ProcessPeak[] = [];
  for (const pid of pids) {
    if (!inTree(pid)) continue;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
    if (!hwm) continue;
    const type = /--type=([\w-]+)/.exec(cmd.get(pid) ?? '')?.[1] ?? 'browser';
    out.push({ pid, type, peakBytes: Number(hwm[1]) * 1024 });
  }
  return out;
}
