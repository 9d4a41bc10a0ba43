/**
 * The canonical identity JSON of an opinion (model.ts `identityOf` through `canonicalJson`: keys
 * sorted, no spaces) written straight as UTF-8 bytes into one reused buffer, the bytes its id is
 * the sha256 of. Importing millions of opinions writes millions of these: building each as a
 * JavaScript string (a dozen concatenations, JSON.stringify of every string, an ISO date
 * object) and encoding it again for the hash cost more than the hash itself. Strings that JSON
 * writes as they are (printable ASCII without `"` or `\`: ids, classes, actors, sets) are copied
 * a byte at a time; anything else goes through JSON.stringify and TextEncoder, so every string
 * is written exactly as before (test/unit/opinions-dag.test.ts compares the two).
 */
import type { Opinion } from './model.ts';

const encoder = new TextEncoder();

const ascii = (s: string) => encoder.encode(s);
const ACTOR = ascii('{"actor":{"commit":');
const ID = ascii(',"id":');
const KIND = ascii(',"kind":');
const CONFIDENCE = ascii('},"confidence":');
const CREATED_AT = ascii(',"created_at":');
const PARENTS = ascii(',"parents":[');
const PROTOCOL = ascii('],"protocol":');
const QUESTION = ascii(',"question":');
const REGION = ascii(',"subject":{"region":');
const ROW = ascii(',"row":"');
const SET = ascii('","set":');
const VALUE_TYPE = ascii('},"v":1,"value":{"type":');
const VALUE = ascii(',"value":');
const END = ascii('}}');
const NULL = ascii('null');

/** Times whose ISO text is `YYYY-MM-DDTHH:mm:ss.sssZ` (years 0000 to 9999). */
const ISO_MIN = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const ISO_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const DAY = 86_400_000;
/** Entries of each cache of repeated parts before it starts again. */
const CACHE_MAX = 4096;

/** Writes identity bytes; `write` returns their length, at the start of `bytes`. */
export class IdentityWriter {
  /** The bytes written last (from 0 to what `write` returned); reused, so grown but not kept. */
  bytes = new Uint8Array(1024);
  #n = 0;
  readonly #actors = new Map<Opinion['actor'], Uint8Array>();
  readonly #questions = new Map<string, Uint8Array>();
  /** Days since 1970 → `"YYYY-MM-DDT`. */
  readonly #days = new Map<number, Uint8Array>();
  /** Subject set → value type → value → the identity's end from `","set":`. */
  readonly #values = new Map<string, Map<string, Map<string, Uint8Array>>>();
  #lastRow: bigint | undefined;
  #lastRowText = '';

  /** Writes the identity of `o`; returns its length in bytes. */
  write(o: Omit<Opinion, 'id' | 'note'>): number {
    this.#n = 0;
    // The parts a batch repeats (its actors; a question without protocol nor region; a set,
    // type and value) are written once and then copied whole.
    const a = o.actor;
    const head = this.#actors.get(a);
    if (head === undefined) {
      this.#put(ACTOR);
      this.#stringOrNull(a.commit);
      this.#put(ID);
      this.#string(a.id);
      this.#put(KIND);
      this.#string(a.kind);
      this.#put(CONFIDENCE);
      this.#remember(this.#actors, a, 0);
    } else this.#put(head);
    if (o.confidence === null) this.#put(NULL);
    else this.#raw(JSON.stringify(o.confidence));
    this.#put(CREATED_AT);
    if (o.createdAt === null) this.#put(NULL);
    else this.#time(o.createdAt);
    this.#put(PARENTS);
    const parents = o.parents.length > 1 ? [...o.parents].sort() : o.parents;
    for (let i = 0; i < parents.length; i++) {
      if (i) this.#byte(44); // ,
      this.#string(parents[i]!);
    }
    const plain = o.protocol === null && o.region === null;
    const middle = plain ? this.#questions.get(o.question) : undefined;
    if (middle === undefined) {
      const from = this.#n;
      this.#put(PROTOCOL);
      this.#stringOrNull(o.protocol);
      this.#put(QUESTION);
      this.#string(o.question);
      this.#put(REGION);
      this.#stringOrNull(o.region);
      this.#put(ROW);
      if (plain) this.#remember(this.#questions, o.question, from);
    } else this.#put(middle);
    if (o.subjectRow !== this.#lastRow) {
      this.#lastRow = o.subjectRow;
      this.#lastRowText = o.subjectRow.toString();
    }
    this.#raw(this.#lastRowText);
    let values = this.#values.get(o.subjectSet)?.get(o.valueType);
    const tail = values?.get(o.value);
    if (tail === undefined) {
      const from = this.#n;
      this.#put(SET);
      this.#string(o.subjectSet);
      this.#put(VALUE_TYPE);
      this.#string(o.valueType);
      this.#put(VALUE);
      this.#string(o.value);
      this.#put(END);
      if (!values) {
        let byType = this.#values.get(o.subjectSet);
        if (!byType) this.#values.set(o.subjectSet, (byType = new Map()));
        byType.set(o.valueType, (values = new Map()));
      }
      this.#remember(values, o.value, from);
    } else this.#put(tail);
    return this.#n;
  }

  /**
   * Keeps a copy of the bytes written since `from` under `key` (a few thousand at most). An
   * actor is remembered by its object: a stored opinion's fields are not changed.
   */
  #remember<K>(cache: Map<K, Uint8Array>, key: K, from: number): void {
    if (this.#n - from > 512) return;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, this.bytes.slice(from, this.#n));
  }

  #reserve(k: number): void {
    if (this.#n + k <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.#n + k));
    grown.set(this.bytes.subarray(0, this.#n));
    this.bytes = grown;
  }

  #byte(b: number): void {
    this.#reserve(1);
    this.bytes[this.#n++] = b;
  }

  #put(src: Uint8Array): void {
    this.#reserve(src.length);
    this.bytes.set(src, this.#n);
    this.#n += src.length;
  }

  /** ASCII text as it is (numbers, digits). */
  #raw(s: string): void {
    this.#reserve(s.length);
    const out = this.bytes;
    let n = this.#n;
    for (let i = 0; i < s.length; i++) out[n++] = s.charCodeAt(i);
    this.#n = n;
  }

  #stringOrNull(s: string | null): void {
    if (s === null) this.#put(NULL);
    else this.#string(s);
  }

  /** A string as JSON.stringify writes it, in UTF-8. */
  #string(s: string): void {
    this.#reserve(s.length + 2);
    const out = this.bytes;
    const start = this.#n;
    let n = start;
    out[n++] = 34; // "
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // Printable ASCII but `"` and `\` is written as it is; anything else is escaped or
      // multi-byte: written by JSON.stringify and TextEncoder instead.
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
        this.#n = start;
        this.#encoded(JSON.stringify(s));
        return;
      }
      out[n++] = c;
    }
    out[n++] = 34;
    this.#n = n;
  }

  #encoded(text: string): void {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    this.#reserve(text.length * 3);
    this.#n += encoder.encodeInto(text, this.bytes.subarray(this.#n)).written;
  }

  /** A time as `new Date(ms).toISOString()` quoted (other years, and errors, through it). */
  #time(ms: number): void {
    if (!(Number.isInteger(ms) && ms >= ISO_MIN && ms <= ISO_MAX)) {
      this.#encoded(JSON.stringify(new Date(ms).toISOString()));
      return;
    }
    const days = Math.floor(ms / DAY);
    let date = this.#days.get(days);
    if (date === undefined) {
      date = dateBytes(days);
      if (this.#days.size >= CACHE_MAX) this.#days.clear();
      this.#days.set(days, date);
    }
    this.#put(date);
    let t = ms - days * DAY; // ms into the day, an integer
    this.#reserve(14);
    const out = this.bytes;
    let n = this.#n;
    n = digits(out, n, (t / 3_600_000) | 0, 2);
    t %= 3_600_000;
    out[n++] = 58; // :
    n = digits(out, n, (t / 60_000) | 0, 2);
    t %= 60_000;
    out[n++] = 58;
    n = digits(out, n, (t / 1000) | 0, 2);
    out[n++] = 46; // .
    n = digits(out, n, t % 1000, 3);
    out[n++] = 90; // Z
    out[n++] = 34;
    this.#n = n;
  }
}

/** `"YYYY-MM-DDT` of a day since 1970, a proleptic Gregorian date (H. Hinnant's `civil_from_days`). */
function dateBytes(days: number): Uint8Array {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365); // prettier-ignore
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const out = new Uint8Array(12);
  out[0] = 34; // "
  digits(out, 1, year, 4);
  out[5] = 45; // -
  digits(out, 6, month, 2);
  out[8] = 45;
  digits(out, 9, day, 2);
  out[11] = 84; // T
  return out;
}

/** Writes `v` in decimal, `width` digits with leading zeros, at `at`; returns the end. */
function digits(out: Uint8Array, at: number, v: number, width: number): number {
  for (let k = width - 1; k >= 0; k--) {
    out[at + k] = 48 + (v % 10);
    v = (v / 10) | 0;
  }
  return at + width;
}
