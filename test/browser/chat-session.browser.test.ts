/**
 * The chat panel's session (src/app/chat-session.svelte.ts) asks the query worker for the
 * prompt of the dataset shown plus the other datasets the user picked, and builds it again when
 * the pick changes. The query worker's side (several picks, one prompt) is tested over the
 * bundled datasets in test/unit/chat-prompt.node.test.ts.
 */
import { expect, it } from 'vitest';
import { ChatSession } from '../../src/app/chat-session.svelte.ts';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import type { QueryHost } from '../../src/app/query-host.svelte.ts';

it('grounds on the dataset shown and the datasets picked beside it', async () => {
  const calls: unknown[][] = [];
  const host = {
    client: {
      call: async (op: string, args: unknown[]) => {
        calls.push([op, ...args]);
        return { text: `prompt ${calls.length}`, dropped: {}, tables: [] };
      },
    },
  } as unknown as QueryHost;
  const chat = new ChatSession(host, {} as LakeCatalog);
  chat.target('titanic', 'curated');
  await chat.ground();
  // The dataset itself is never listed twice; a pick is kept once.
  chat.setAlso(['mini-coco', 'titanic', 'mini-coco']);
  expect(chat.also).toEqual(['mini-coco']);
  expect(chat.grounding.status).toBe('idle');
  await chat.ground();
  expect(calls).toEqual([
    ['chatGrounding', [{ dataset: 'titanic', rev: 'curated' }], {}],
    [
      'chatGrounding',
      [
        { dataset: 'titanic', rev: 'curated' },
        { dataset: 'mini-coco', rev: 'main' },
      ],
      {},
    ],
  ]);
  expect(chat.grounding).toMatchObject({ status: 'ready', prompt: { text: 'prompt 2' } });
  // Moving to a picked dataset drops it from the picks.
  chat.target('mini-coco', 'main');
  expect(chat.also).toEqual([]);
  chat.destroy();
});
