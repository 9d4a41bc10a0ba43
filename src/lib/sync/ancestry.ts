/** Walks of the local commit graph that push, pull and the ahead/behind counts share. */
import type { Lake } from '../versions/lake.ts';

/** Every ancestor of `start`, itself included. */
export async function ancestorsOf(lake: Lake, start: string): Promise<Set<string>> {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    for (const p of (await lake.readCommit(stack.pop()!)).parents) {
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return seen;
}

/** The commits reachable from `head` and not from `base` (null: all of them), newest first. */
export async function commitsSince(
  lake: Lake,
  head: string,
  base: string | null,
): Promise<string[]> {
  const stop = base ? await ancestorsOf(lake, base) : new Set<string>();
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = [head];
  while (stack.length) {
    const h = stack.pop()!;
    if (seen.has(h) || stop.has(h)) continue;
    seen.add(h);
    out.push(h);
    stack.push(...(await lake.readCommit(h)).parents);
  }
  return out;
}
