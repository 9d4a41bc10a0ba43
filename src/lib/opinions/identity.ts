/**
 * Opinion ids in bulk: the canonical identity JSON (model.ts `identityOf`, keys sorted) written
 * directly as a string, and hashed synchronously: with Node's own `node:crypto` where there is
 * one (native, about 4 times hash-wasm on these small strings), else one reused hash-wasm
 * hasher fed UTF-8 bytes encoded into a reused buffer. Importing millions of opinions hashes
 * millions of small strings; a promise and a key-sorting replacer per opinion would dominate
 * the import, and so do JSON.stringify calls on the same few strings (questions, actors,
 * classes), which are kept in a small cache.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { loadNodeCrypto } from '../io/node-crypto.ts';
import { OPINION_ID_HEX, type Opinion } from './model.ts';

const q = JSON.stringify;
const orNull = (s: string | null) => (s === null ? 'null' : q(s));
const HEX_ID = /^[0-9a-f]+$/;

/** The canonical JSON of an opinion's identity; equal to `canonicalJson(identityOf(o))`. */
export function identityJson(
  o: Omit<Opinion, 'id' | 'note'>,
  quote = q,
  iso = (ms: number) => q(new Date(ms).toISOString()),
): string {
  const parents = o.parents.length > 1 ? [...o.parents].sort() : o.parents;
  let list = '';
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i]!;
    // Opinion ids (hex) need no escaping: the common case skips JSON.stringify.
    list += (i ? ',"' : '"') + (HEX_ID.test(p) ? p : q(p).slice(1, -1)) + '"';
  }
  const a = o.actor;
  return (
    `{"actor":{"commit":${a.commit === null ? 'null' : quote(a.commit)},"id":${quote(a.id)},"kind":${quote(a.kind)}}` +
    `,"confidence":${o.confidence === null ? 'null' : q(o.confidence)}` +
    `,"created_at":${o.createdAt === null ? 'null' : iso(o.createdAt)}` +
    `,"parents":[${list}]` +
    `,"protocol":${o.protocol === null ? 'null' : quote(o.protocol)}` +
    `,"question":${quote(o.question)}` +
    `,"subject":{"region":${orNull(o.region)},"row":"${o.subjectRow.toString()}","set":${quote(o.subjectSet)}}` +
    `,"v":1` +
    `,"value":{"type":"${o.valueType}","value":${quote(o.value)}}}`
  );
}

/** Node's sha256 of a string: the first `bytes` bytes of the digest in hex; null off Node. */
type NodeHash = (text: string, bytes: number) => string;
let nodeHash: Promise<NodeHash | null> | undefined;

function loadNodeHash(): Promise<NodeHash | null> {
  nodeHash ??= loadNodeCrypto().then((crypto) => {
    if (!crypto) return null;
    // crypto.hash (Node ≥ 20.12) skips the Hash object; createHash otherwise. The hex of a
    // part of the digest is a flat string, where `hex.slice` would be a slice of the whole
    // (kept alive, and several times slower to compare when ids are sorted).
    const oneShot = (crypto as { hash?: (a: string, d: string, e: 'buffer') => Buffer }).hash;
    return oneShot
      ? (text: string, bytes: number) => oneShot('sha256', text, 'buffer').toString('hex', 0, bytes)
      : (text: string, bytes: number) =>
          crypto.createHash('sha256').update(text).digest().toString('hex', 0, bytes);
  });
  return nodeHash;
}

/** Strings quoted lately (questions, actors, classes repeat across a batch). */
const QUOTE_CACHE_MAX = 4096;

/** Computes opinion ids synchronously once created (one hasher, reused). */
export class IdHasher {
  readonly #quoted = new Map<string, string>();
  readonly #times = new Map<number, string>();
  readonly #encoder = new TextEncoder();
  #buffer = new Uint8Array(1024);

  private constructor(
    private readonly h: IHasher,
    private readonly node: NodeHash | null,
  ) {}

  static async create(): Promise<IdHasher> {
    const node = await loadNodeHash();
    return new IdHasher(await createSHA256(), node);
  }

  /** JSON.stringify of a string, remembered for the strings a batch repeats. */
  readonly #quote = (s: string): string => {
    let out = this.#quoted.get(s);
    if (out === undefined) {
      out = q(s);
      if (s.length <= 64) {
        if (this.#quoted.size >= QUOTE_CACHE_MAX) this.#quoted.clear();
        this.#quoted.set(s, out);
      }
    }
    return out;
  };

  /** A time's quoted ISO text, remembered: a batch's times repeat (a day's work, a file's). */
  readonly #iso = (ms: number): string => {
    let out = this.#times.get(ms);
    if (out === undefined) {
      out = q(new Date(ms).toISOString());
      if (this.#times.size >= QUOTE_CACHE_MAX) this.#times.clear();
      this.#times.set(ms, out);
    }
    return out;
  };

  /** The opinion id of `o` (docs/opinions.md, "Identity"). */
  id(o: Omit<Opinion, 'id' | 'note'>): string {
    const text = identityJson(o, this.#quote, this.#iso);
    if (this.node) return this.node(text, OPINION_ID_HEX / 2);
    return this.hex(text).slice(0, OPINION_ID_HEX);
  }

  /** Lowercase hex sha256 of a string's UTF-8 bytes. */
  hex(text: string): string {
    if (this.node) return this.node(text, 32);
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    if (this.#buffer.length < text.length * 3) this.#buffer = new Uint8Array(text.length * 3);
    const { written } = this.#encoder.encodeInto(text, this.#buffer);
    this.h.init();
    this.h.update(this.#buffer.subarray(0, written));
    return this.h.digest('hex');
  }
}
