/**
 * Refs on a server that honours conditional writes: one JSON object per ref, created with
 * `If-None-Match: *` and moved with `If-Match` on the ETag it was read with, so of two writers
 * that read the same ref exactly one wins (compare-and-swap).
 */
import { encodeJson } from '../versions/manifest.ts';
import type { RefKind } from '../versions/refs.ts';
import { refName, refPrefix, refSegment } from './layout.ts';
import { eachLimited } from './pool.ts';
import type { Remote } from './remote.ts';
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
    const prefix = refPrefix(dataset, kind);
    const names: string[] = [];
    for await (const o of this.remote.list(prefix, { signal })) {
      const rest = o.key.slice(prefix.length);
      if (!rest.includes('/') && rest.endsWith('.json')) names.push(refName(rest.slice(0, -5)));
    }
    // Each ref is one GET: all at once (a few at a time), not one after the other.
    const refs: (RemoteRef | null)[] = [];
    await eachLimited(names.sort(), 8, async (name, i) => {
      refs[i] = await this.read(dataset, kind, name, signal);
    });
    return refs.filter((r): r is RemoteRef => Boolean(r));
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
