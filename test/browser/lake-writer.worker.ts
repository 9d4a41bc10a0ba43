/**
 * One "tab" of the two-writer test: a dedicated worker with its own IndexedDB connection,
 * OPFS handles and Web Locks client, writing to a shared browser lake. Errors cross as plain
 * `{code, message}`.
 */
import * as Comlink from 'comlink';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import type { LakeError } from '../../src/lib/store/errors.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { recordSetOf, scanRows } from '../../src/lib/versions/read.ts';
import { applyChanges } from '../../src/lib/versions/write.ts';

let lake: Lake | undefined;
const open = async (name: string) => (lake ??= await Lake.open(await openBrowserBackend(name)));

type Outcome = { ok: true; hash: string } | { ok: false; code: string; message: string };

/** What {@link api.appendForever} reports: each storage write as it begins, each commit made. */
export type WriterEvent = { kind: 'write'; n: number } | { kind: 'commit'; hash: string };
const outcome = async (f: () => Promise<{ hash: string }>): Promise<Outcome> => {
  try {
    return { ok: true, hash: (await f()).hash };
  } catch (e) {
    const err = e as LakeError;
    return { ok: false, code: String(err.code), message: String(err.message) };
  }
};

const api = {
  /**
   * Appends until the worker is terminated. Reports each storage write (chunk put or delete,
   * entry compare-and-set) as it begins, numbered from 1, and each commit that returned; the
   * reports are posted in that order and do not wait for the page.
   */
  async appendForever(
    name: string,
    dataset: string,
    tag: string,
    onEvent: (e: WriterEvent) => void,
  ): Promise<void> {
    const backend = await openBrowserBackend(name);
    let writes = 0;
    const tick = () => void onEvent({ kind: 'write', n: ++writes });
    const { chunks, refs } = backend;
    const put = chunks.put.bind(chunks);
    const del = chunks.delete.bind(chunks);
    const cas = refs.cas.bind(refs);
    chunks.put = (h, b) => (tick(), put(h, b));
    chunks.delete = (h) => (tick(), del(h));
    refs.cas = (k, e, v) => (tick(), cas(k, e, v));
    const l = await Lake.open(backend);
    for (let i = 0; ; i++) {
      const { hash } = await appendRows(l, dataset, {
        branch: 'work',
        recordSet: 't',
        rows: Array.from({ length: 50 }, (_, k) => ({ label: `${tag}-${i}-${k}` })),
      });
      void onEvent({ kind: 'commit', hash });
    }
  },
  /** Appends `n` rows labelled `tag`, one commit each. */
  async appendMany(name: string, dataset: string, tag: string, n: number): Promise<Outcome[]> {
    const l = await open(name);
    const out: Outcome[] = [];
    for (let i = 0; i < n; i++) {
      out.push(
        await outcome(() =>
          appendRows(l, dataset, {
            branch: 'work',
            recordSet: 't',
            rows: [{ label: `${tag}-${i}` }],
          }),
        ),
      );
    }
    return out;
  },
  /**
   * Rewrites row 0's label as the user saw it at `seen`: a change made against a head that has
   * moved must not silently overwrite the other tab's edit.
   */
  async editRow(name: string, dataset: string, seen: string, label: string): Promise<Outcome> {
    const l = await open(name);
    return outcome(() =>
      l.commit(
        dataset,
        'work',
        async (head) => {
          const [id, rs] = recordSetOf(await l.readCommit(head!), 't');
          let row = null;
          for await (const b of scanRows(l.chunks, rs, id)) row ??= b.find((r) => r.rowid === 0n);
          return {
            message: `label ${label}`,
            lineage: { op: 'commit', params: { label } },
            document: null,
            objects: null,
            recordSets: {
              t: await applyChanges(
                l.chunks,
                rs,
                { upserts: [{ rowid: 0n, row: { ...row!.row, label } }] },
                id,
              ),
            },
          };
        },
        { expectedHead: seen, rebase: false },
      ),
    );
  },
};

export type LakeWriterApi = typeof api;
Comlink.expose(api);
