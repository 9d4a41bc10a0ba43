/**
 * Opinion ids in bulk: the canonical identity JSON (model.ts `identityOf`, keys sorted) written
 * directly as a string, and hashed with one reused hash-wasm hasher, synchronously. Importing
 * millions of opinions hashes millions of small strings; a promise and a key-sorting replacer
 * per opinion would dominate the import.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { OPINION_ID_HEX, type Opinion } from './model.ts';

const q = JSON.stringify;
const orNull = (s: string | null) => (s === null ? 'null' : q(s));

/** The canonical JSON of an opinion's identity; equal to `canonicalJson(identityOf(o))`. */
export function identityJson(o: Omit<Opinion, 'id' | 'note'>): string {
  const parents = [...o.parents].sort();
  return (
    `{"actor":{"commit":${orNull(o.actor.commit)},"id":${q(o.actor.id)},"kind":${q(o.actor.kind)}}` +
    `,"confidence":${o.confidence === null ? 'null' : q(o.confidence)}` +
    `,"created_at":${o.createdAt === null ? 'null' : q(new Date(o.createdAt).toISOString())}` +
    `,"parents":[${parents.map((p) => q(p)).join(',')}]` +
    `,"protocol":${orNull(o.protocol)}` +
    `,"question":${q(o.question)}` +
    `,"subject":{"region":${orNull(o.region)},"row":${q(o.subjectRow.toString())},"set":${q(o.subjectSet)}}` +
    `,"v":1` +
    `,"value":{"type":${q(o.valueType)},"value":${q(o.value)}}}`
  );
}

/** Computes opinion ids synchronously once created (one hasher, reused). */
export class IdHasher {
  private constructor(private readonly h: IHasher) {}

  static async create(): Promise<IdHasher> {
    return new IdHasher(await createSHA256());
  }

  /** The opinion id of `o` (docs/opinions.md, "Identity"). */
  id(o: Omit<Opinion, 'id' | 'note'>): string {
    return this.hex(identityJson(o)).slice(0, OPINION_ID_HEX);
  }

  /** Lowercase hex sha256 of a string's UTF-8 bytes. */
  hex(text: string): string {
    this.h.init();
    this.h.update(text);
    return this.h.digest('hex');
  }
}
