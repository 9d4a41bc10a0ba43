/**
 * vitest browser commands: the browser tests start and stop s3rver and its proxy, set faults
 * and read counts, in the vitest server's Node process (a page cannot listen on a port).
 */
import type { BrowserCommand } from 'vitest/node';
import type { Fault, ProxyKey, ProxyStats } from './proxy.ts';
import { addKey, type BucketSpec } from './s3rver.ts';
import { startTarget } from './targets.ts';
import type { Target } from './target.ts';

const running = new Map<string, Target>();
let next = 0;

interface Started {
  id: string;
  endpoint: string;
  proxy: string;
}

export const s3Commands = {
  /**
   * With `keys`, the proxy accepts only requests signed by one of them (one silo's keys); with
   * `buckets`, s3rver has those (default: `lake`, with the CORS rules the app needs). Pass `{}`
   * for no keys before `buckets`: a command's undefined argument does not reach it (the ones
   * after it move up).
   */
  s3Start: (async (
    _ctx,
    conditional: boolean,
    keys?: Record<string, ProxyKey>,
    buckets?: BucketSpec[],
  ): Promise<Started> => {
    for (const [id, k] of Object.entries(keys ?? {})) addKey(id, k.secret);
    const t = await startTarget(conditional, {
      ...(keys && Object.keys(keys).length ? { keys } : {}),
      ...(buckets ? { buckets } : {}),
    });
    const id = String(++next);
    running.set(id, t);
    return { id, endpoint: t.endpoint, proxy: t.proxy.endpoint };
  }) as BrowserCommand<[boolean, Record<string, ProxyKey>?, BucketSpec[]?]>,
  s3Stop: (async (_ctx, id: string) => {
    await running.get(id)?.stop();
    running.delete(id);
  }) as BrowserCommand<[string]>,
  s3Faults: (async (_ctx, id: string, faults: Fault[]) => {
    await running.get(id)?.proxy.setFaults(faults);
  }) as BrowserCommand<[string, Fault[]]>,
  s3Stats: (async (_ctx, id: string): Promise<ProxyStats | undefined> =>
    running.get(id)?.proxy.stats()) as BrowserCommand<[string]>,
  s3ResetStats: (async (_ctx, id: string) => {
    await running.get(id)?.proxy.resetStats();
  }) as BrowserCommand<[string]>,
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    s3Start: (
      conditional: boolean,
      keys?: Record<string, ProxyKey>,
      buckets?: BucketSpec[],
    ) => Promise<Started>;
    s3Stop: (id: string) => Promise<void>;
    s3Faults: (id: string, faults: Fault[]) => Promise<void>;
    s3Stats: (id: string) => Promise<ProxyStats | undefined>;
    s3ResetStats: (id: string) => Promise<void>;
  }
}
