/**
 * Refs on a server that ignores conditional writes (s3rver; older S3-compatible stores). A ref
 * is a log of immutable entries `<seq>-<random>.json` under `refs/<id>/<kind>/<name>/`, each
 * with its confirmation `<seq>-<random>.ok`. The head is the confirmed entry with the highest
 * sequence number.
 *
 * To move a ref from the entry at `seq`, a writer writes its claim at `seq + 1`, then lists the
 * claims at that position (listings are strongly consistent):
 * - alone: it confirms its claim and has won;
 * - another claim is confirmed: it withdraws (deletes) its claim and has lost;
 * - other claims are pending: the smallest key waits for the others to withdraw or confirm,
 *   every other claim withdraws, waits for the outcome, and claims again if all withdrew.
 * A claim left pending by a writer that died is ignored once {@link STALE_MS} old. Should two
 * entries ever be confirmed at one position (a writer paused past that age), readers see a
 * fork: both commits stay named, none is lost.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import { encodeJson } from '../versions/manifest.ts';
import { compareRefNames } from '../versions/ref-names.ts';
import type { RefKind } from '../versions/refs.ts';
import { REF_KINDS, kindsPrefix, refName, refPrefix, refSegment } from './layout.ts';
import { eachLimited } from './pool.ts';
import { objectsUnder } from './present.ts';
import type { Remote, RemoteObject } from './remote.ts';
import { randomHex, type RemoteRef, type RemoteRefs, type RemoteRefValue } from './remote-refs.ts';

/** A pending claim older than this is a dead writer's. */
export const STALE_MS = 60_000;
const SEQ_DIGITS = 12;

interface Claim {
  key: string;
  seq: number;
  confirmed: boolean;
  lastModified: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Claims in a ref's folder listing, by key. */
function claimsOf(objects: RemoteObject[], dir: string): Claim[] {
  const ok = new Set<string>();
  const claims: Claim[] = [];
  for (const o of objects) {
    const rest = o.key.slice(dir.length);
    const m = /^(\d{12})-([0-9a-f]+)\.(json|ok)$/.exec(rest);
    if (!m) continue;
    if (m[3] === 'ok') ok.add(`${m[1]}-${m[2]}`);
    else
      claims.push({
        key: `${m[1]}-${m[2]}`,
        seq: Number(m[1]),
        confirmed: false,
        lastModified: o.lastModified,
      });
  }
  for (const c of claims) c.confirmed = ok.has(c.key);
  return claims.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export class ClaimRefs implements RemoteRefs {
  constructor(private readonly remote: Remote) {}

  #dir(dataset: string, kind: RefKind, name: string): string {
    return `${refPrefix(dataset, kind)}${refSegment(name)}/`;
  }

  async #listAll(prefix: string, signal?: AbortSignal): Promise<RemoteObject[]> {
    const out: RemoteObject[] = [];
    for await (const o of this.remote.list(prefix, { signal })) out.push(o);
    return out;
  }

  async #head(dataset: string, kind: RefKind, name: string, claims: Claim[], signal?: AbortSignal) {
    const confirmed = claims.filter((c) => c.confirmed);
    if (!confirmed.length) return null;
    const top = Math.max(...confirmed.map((c) => c.seq));
    const at = confirmed.filter((c) => c.seq === top);
    const dir = this.#dir(dataset, kind, name);
    const value = async (c: Claim) => {
      const got = await this.remote.get(`${dir}${c.key}.json`, { signal });
      if (!got)
        throw new LakeError(
          'IO',
          `ref entry ${dir}${c.key}.json vanished from ${this.remote.label}`,
        );
      return JSON.parse(new TextDecoder().decode(got.bytes)) as RemoteRefValue;
    };
    const head = at[0]!;
    const ref: RemoteRef = { ...(await value(head)), kind, name, token: head.key, seq: head.seq };
    if (at.length > 1) {
      ref.forks = [];
      for (const c of at.slice(1))
        ref.forks.push({ commit: (await value(c)).commit, entry: `${dir}${c.key}.json` });
    }
    return ref;
  }

  async read(dataset: string, kind: RefKind, name: string, signal?: AbortSignal) {
    const dir = this.#dir(dataset, kind, name);
    return this.#head(dataset, kind, name, claimsOf(await this.#listAll(dir, signal), dir), signal);
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
   * The heads of `kinds`: one listing (of both kinds' prefix when both are asked for), or the
   * caller's `listed`.
   */
  async #listed(
    dataset: string,
    kinds: readonly RefKind[],
    signal?: AbortSignal,
    listed?: readonly RemoteObject[],
  ) {
    const byRef = new Map<string, { kind: RefKind; seg: string; objects: RemoteObject[] }>();
    const prefix = kindsPrefix(dataset, kinds);
    for await (const o of objectsUnder(this.remote, prefix, signal, listed)) {
      const kind = kinds.find((k) => o.key.startsWith(refPrefix(dataset, k)));
      if (!kind) continue;
      const seg = o.key.slice(refPrefix(dataset, kind).length).split('/')[0]!;
      const id = `${kind}/${seg}`;
      let ref = byRef.get(id);
      if (!ref) byRef.set(id, (ref = { kind, seg, objects: [] }));
      ref.objects.push(o);
    }
    // Each head is one GET: all at once (a few at a time), not one after the other.
    // By name, in the order the lake lists names in (fetch, push and status print them so).
    const refs = [...byRef.values()].sort((a, b) =>
      compareRefNames(refName(a.seg), refName(b.seg)),
    );
    const heads: (RemoteRef | null)[] = [];
    await eachLimited(refs, 8, async ({ kind, seg, objects }, i) => {
      const name = refName(seg);
      const claims = claimsOf(objects, this.#dir(dataset, kind, name));
      heads[i] = await this.#head(dataset, kind, name, claims, signal);
    });
    const out: Record<RefKind, RemoteRef[]> = { branch: [], tag: [] };
    for (const h of heads) if (h) out[h.kind].push(h);
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
    const dir = this.#dir(dataset, kind, name);
    const seq = (expected?.seq ?? 0) + 1;
    const seqText = String(seq).padStart(SEQ_DIGITS, '0');
    for (let round = 0; round < 5; round++) {
      const mine = `${seqText}-${randomHex(8)}`;
      const state = { confirming: false };
      let outcome: 'won' | 'lost' | 'retry';
      try {
        await this.remote.put(`${dir}${mine}.json`, encodeJson(value), {
          ifNoneMatch: true,
          signal,
        });
        outcome = await this.#decide(dir, seqText, mine, state, signal, ready);
      } catch (e) {
        // Stopped (cancelled, or its log entry or chunks failed) between its claim and its
        // confirmation: withdraw the claim, so that no one waits on it until it is stale. The
        // claim's PUT may have reached the server even when it failed here. Without the signal,
        // which may be what stopped the move. Not once the confirmation went out: deleting a
        // confirmed claim would lose the ref's entry.
        if (!state.confirming)
          await this.remote.delete(`${dir}${mine}.json`).catch(() => undefined);
        throw e;
      }
      if (outcome === 'won') return true;
      if (outcome === 'lost') return false;
      await pause(20 + Math.random() * 200); // everyone withdrew: claim again, staggered
    }
    return false;
  }

  /**
   * Waits for the outcome of the claim `mine` at position `seqText`; confirms it (the move)
   * only once `ready` has succeeded.
   */
  async #decide(
    dir: string,
    seqText: string,
    mine: string,
    state: { confirming: boolean },
    signal?: AbortSignal,
    ready?: Promise<unknown>,
  ) {
    let withdrawn = false;
    for (let wait = 10; ; wait = Math.min(wait * 2, 1000)) {
      checkAborted(signal);
      const now = this.remote.serverNow();
      const claims = claimsOf(await this.#listAll(`${dir}${seqText}-`, signal), dir);
      const others = claims.filter(
        (c) => c.key !== mine && (c.confirmed || now - c.lastModified < STALE_MS),
      );
      if (others.some((c) => c.confirmed)) {
        if (!withdrawn) await this.remote.delete(`${dir}${mine}.json`, { signal });
        return 'lost' as const;
      }
      if (!others.length) {
        if (withdrawn) return 'retry' as const;
        // No move without its log entry (or its chunks): a failure withdraws the claim (update).
        await ready;
        // A claim that waited for `ready` long enough to near the age at which others take it
        // for a dead writer's is withdrawn and made again: confirming it could fork the ref.
        const at = claims.find((c) => c.key === mine)?.lastModified ?? now;
        if (this.remote.serverNow() - at > STALE_MS / 2) {
          await this.remote.delete(`${dir}${mine}.json`, { signal });
          return 'retry' as const;
        }
        state.confirming = true;
        await this.remote.put(`${dir}${mine}.ok`, new Uint8Array(0), { ifNoneMatch: true, signal });
        return 'won' as const;
      }
      const smallest = others.every((c) => mine < c.key);
      if (!smallest && !withdrawn) {
        await this.remote.delete(`${dir}${mine}.json`, { signal });
        withdrawn = true;
      }
      await pause(wait);
    }
  }
}
