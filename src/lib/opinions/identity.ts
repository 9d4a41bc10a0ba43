/**
 * Opinion ids in bulk: the canonical identity (model.ts `identityOf`, keys sorted) written as
 * UTF-8 bytes into one reused buffer (identity-bytes.ts) and hashed synchronously, with Node's
 * own `node:crypto` where there is one (native, about 4 times hash-wasm on these small inputs),
 * else one reused hash-wasm hasher. Importing millions of opinions hashes millions of small
 * inputs: a promise, a string or a Buffer per opinion would dominate the import (their garbage
 * collection too).
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { loadNodeCrypto } from '../io/node-crypto.ts';
import { IdentityWriter } from './identity-bytes.ts';
import { OPINION_ID_HEX, type Opinion } from './model.ts';

/** Node's sha256 of bytes as a binary string (one char per byte); null off Node. */
type NodeDigest = (bytes: Uint8Array) => string;
/** Node's sha256 of a string as hex. */
type NodeHex = (text: string) => string;
let nodeHash: Promise<{ digest: NodeDigest; hex: NodeHex } | null> | undefined;

function loadNodeHash(): Promise<{ digest: NodeDigest; hex: NodeHex } | null> {
  nodeHash ??= loadNodeCrypto().then((crypto) => {
    if (!crypto) return null;
    // crypto.hash (Node ≥ 20.12) skips the Hash object; createHash otherwise. A binary string
    // of the digest is one small flat string (a Buffer per digest costs its allocation and its
    // collection).
    type OneShot = (a: string, d: Uint8Array | string, e: 'binary' | 'hex') => string;
    const oneShot = (crypto as { hash?: OneShot }).hash;
    if (oneShot) {
      return {
        digest: (bytes) => oneShot('sha256', bytes, 'binary'),
        hex: (text) => oneShot('sha256', text, 'hex'),
      };
    }
    return {
      digest: (bytes) => crypto.createHash('sha256').update(bytes).digest('binary'),
      hex: (text) => crypto.createHash('sha256').update(text).digest('hex'),
    };
  });
  return nodeHash;
}

const HEX_DIGITS = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/** Computes opinion ids synchronously once created (one writer and one hasher, reused). */
export class IdHasher {
  readonly #writer = new IdentityWriter();
  readonly #encoder = new TextEncoder();
  /** The id's hex digits as char codes, made into one flat string at once. */
  readonly #codes = new Array<number>(OPINION_ID_HEX).fill(0);
  #buffer = new Uint8Array(1024);
  readonly #views = new Map<number, Uint8Array>();

  private constructor(
    private readonly h: IHasher,
    private readonly node: { digest: NodeDigest; hex: NodeHex } | null,
  ) {}

  static async create(): Promise<IdHasher> {
    const node = await loadNodeHash();
    return new IdHasher(await createSHA256(), node);
  }

  /** The opinion id of `o` (docs/opinions.md, "Identity"). */
  id(o: Omit<Opinion, 'id' | 'note'>): string {
    const bytes = this.#written(this.#writer.write(o));
    const codes = this.#codes;
    if (this.node) {
      const d = this.node.digest(bytes);
      for (let i = 0; i < OPINION_ID_HEX / 2; i++) {
        const b = d.charCodeAt(i);
        codes[2 * i] = HEX_DIGITS[b >> 4]!;
        codes[2 * i + 1] = HEX_DIGITS[b & 15]!;
      }
    } else {
      this.h.init();
      this.h.update(bytes);
      const d = this.h.digest('binary');
      for (let i = 0; i < OPINION_ID_HEX / 2; i++) {
        codes[2 * i] = HEX_DIGITS[d[i]! >> 4]!;
        codes[2 * i + 1] = HEX_DIGITS[d[i]! & 15]!;
      }
    }
    return String.fromCharCode.apply(null, codes);
  }

  /**
   * The writer's first `n` bytes, as a view kept for each length met (a batch's identities
   * have a few dozen lengths): no view allocated per opinion.
   */
  #written(n: number): Uint8Array {
    const buffer = this.#writer.bytes.buffer;
    let view = this.#views.get(n);
    if (view === undefined || view.buffer !== buffer) {
      if (this.#views.size >= 1024) this.#views.clear();
      this.#views.set(n, (view = new Uint8Array(buffer, 0, n)));
    }
    return view;
  }

  /** Lowercase hex sha256 of a string's UTF-8 bytes. */
  hex(text: string): string {
    if (this.node) return this.node.hex(text);
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    if (this.#buffer.length < text.length * 3) this.#buffer = new Uint8Array(text.length * 3);
    const { written } = this.#encoder.encodeInto(text, this.#buffer);
    this.h.init();
    this.h.update(this.#buffer.subarray(0, written));
    return this.h.digest('hex');
  }
}
