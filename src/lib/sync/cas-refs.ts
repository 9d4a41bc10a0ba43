/**
 * Refs on a server that honours conditional writes: one JSON object per ref, created with
 * `If-None-Match: *` and moved with `If-Match` on the ETag it was read with, so of two writers
 * that read the same ref exactly one wins (compare-and-swap).
 */
import { encodeJson } from '../versions/manifest.ts';
import { compareRefNames } from '../versions/ref-names.ts';
import type { RefKind } from '../versions/refs.ts';
import { REF_KINDS, kindsPrefix, refName, refPrefix, refSegment } from './layout.ts';
import { eachLimited } from './pool.ts';
import { objectsUnder } from './present.ts';
import type { Remote, RemoteObject } from './remote.ts';
import type { RemoteRef, RemoteRefs, RemoteRefValue } from './remote-refs.ts';

interface Stored extends RemoteRefValue {
  seq: number;
}

export class CasRefs implements RemoteRefs {
  constructor(private readonly remote: Remote) {}

  #key(dataset: string, kind: RefKind, name: string): string {
    return `${refPrefix(dataset, kind)}${refSegment(name)}.json`;
  }

  async read(dataset: string, kind: RefKind, name: string, signal?: AbortSignal) {
    const got = await this.remote.get(this.#key(dataset, kind, name), { signal });
    if (!got) return null;
    const v = JSON.parse(new TextDecoder().decode(got.bytes)) as Stored;
    const ref: RemoteRef = { ...v, kind, name, token: got.etag, seq: v.seq };
    return ref;
  }

  async list(dataset: string, kind: RefKind, signal?: AbortSignal): Promise<RemoteRef[]> {
    return (await this.#listed(dataset, [kind], signal))[kind];
  }

  async listAll(
    dataset: string,
    signal?: AbortSignal,
    listed?: readonly RemoteObject[],
  ): Promise<Record<RefKind, RemoteRef[]>> {
    return this.#listed(dataset, REF_KINDS, signal, listed);
  }

  /**
   * The refs of `kinds`: one listing (of both kinds' prefix when both are asked for), or the
   * caller's `listed`.
   */
  async #listed(
    dataset: string,
    kinds: readonly RefKind[],
    signal?: AbortSignal,
    listed?: readonly RemoteObject[],
  ) {
    const wanted: { kind: RefKind; name: string }[] = [];
    const prefix = kindsPrefix(dataset, kinds);
    for await (const o of objectsUnder(this.remote, prefix, signal, listed)) {
      for (const kind of kinds) {
        const under = refPrefix(dataset, kind);
        if (!o.key.startsWith(under)) continue;
        const rest = o.key.slice(under.length);
        if (!rest.includes('/') && rest.endsWith('.json'))
          wanted.push({ kind, name: refName(rest.slice(0, -5)) });
      }
    }
    // The order the lake lists names in (fetch, push and status print them so).
    wanted.sort((a, b) => compareRefNames(a.name, b.name));
    // Each ref is one GET: all at once (a few at a time), not one after the other.
    const refs: (RemoteRef | null)[] = [];
    await eachLimited(wanted, 8, async ({ kind, name }, i) => {
      refs[i] = await this.read(dataset, kind, name, signal);
    });
    const out: Record<RefKind, RemoteRef[]> = { branch: [], tag: [] };
    for (const r of refs) if (r) out[r.kind].push(r);
    return out;
  }

  async update(
    dataset: string,
    kind: RefKind,
    name: string,
    expected: RemoteRef | null,
    value: RemoteRefValue,
    signal?: AbortSignal,
    ready?: Promise<unknown>,
  ): Promise<boolean> {
    const stored: Stored = { ...value, seq: (expected?.seq ?? 0) + 1 };
    // The swap is the move itself: nothing of it can go before the log entry.
    await ready;
    const put = await this.remote.put(this.#key(dataset, kind, name), encodeJson(stored), {
      ...(expected ? { ifMatch: expected.token } : { ifNoneMatch: true }),
      signal,
    });
    return put.ok;
  }
}
