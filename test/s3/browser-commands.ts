/**
 * vitest browser commands: the browser tests start and stop s3rver and its proxy, set faults
 * and read counts, in the vitest server's Node process (a page cannot listen on a port).
 */
import type { BrowserCommand } from 'vitest/node';
import type { Fault, ProxyStats } from './proxy.ts';
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
  s3Start: (async (_ctx, conditional: boolean): Promise<Started> => {
    const t = await startTarget(conditional);
    const id = String(++next);
    running.set(id, t);
    return { id, endpoint: t.endpoint, proxy: t.proxy.endpoint };
  }) as BrowserCommand<[boolean]>,
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
    s3Start: (conditional: boolean) => Promise<Started>;
    s3Stop: (id: string) => Promise<void>;
    s3Faults: (id: string, faults: Fault[]) => Promise<void>;
    s3Stats: (id: string) => Promise<ProxyStats | undefined>;
    s3ResetStats: (id: string) => Promise<void>;
  }
}
