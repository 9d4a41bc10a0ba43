/**
 * Data carried inside a link (share links, loader permalinks): text deflated and written as
 * base64url without padding, and the checked, bounded way back. Every problem is reported
 * through the caller's `fail`, which names the link kind in its message.
 */
import { Inflate, deflateSync } from 'fflate';
import { concat } from './source.ts';

/** Builds the caller's error for a problem (and its cause). */
export type Fail = (problem: string, cause?: unknown) => Error;

/** Deflates UTF-8 `text` and writes it as base64url (no padding). */
export function encodeLinkData(text: string): string {
  const bytes = deflateSync(new TextEncoder().encode(text), { level: 9 });
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Reads base64url `data` back and inflates it, stopping once the output passes `max` bytes
 * (a "zip bomb" is never expanded whole). `what` names the content in messages ("the
 * recipe"). Bad characters, an impossible length, data that does not inflate or ends early
 * all go to `fail`.
 */
export function decodeLinkData(data: string, max: number, what: string, fail: Fail): Uint8Array {
  const at = data.search(/[^A-Za-z0-9_-]/);
  if (at >= 0) {
    throw fail(
      `the data is not base64url: character ${JSON.stringify(data[at])} at position ${at + 1}. Was the link changed when it was copied?`,
    );
  }
  if (data.length % 4 === 1) {
    throw fail(`the data has an impossible length (${data.length}); the link is cut off`);
  }
  const bin = atob(data.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const parts: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    size += chunk.byteLength;
    parts.push(chunk);
    ended ||= final;
  });
  let tooLarge = false;
  try {
    for (let o = 0; o < bytes.byteLength || o === 0; o += 512) {
      inflate.push(bytes.subarray(o, o + 512), o + 512 >= bytes.byteLength);
      if (size > max) {
        tooLarge = true;
        break;
      }
    }
  } catch (e) {
    throw fail(
      `the data does not decompress (${(e as Error).message}); the link is damaged or cut off`,
      e,
    );
  }
  if (tooLarge) throw fail(`${what} is larger than ${max} bytes`);
  if (!ended) throw fail('the data ends early; the link is cut off');
  return concat(parts);
}
