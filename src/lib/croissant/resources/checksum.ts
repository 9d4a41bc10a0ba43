/**
 * Streaming checksum verification (md5, sha256; hex or base64), through hasher.ts.
 */
import type { TransitEncoding } from '../../io/source.ts';
import { CroissantError } from '../errors.ts';
import { createHasher } from './hasher.ts';

export interface Expected {
  md5?: string;
  sha256?: string;
}

/** An incremental hasher for whichever checksum a file declares. */
export interface Verifier {
  update(chunk: Uint8Array): void;
  /** Throws CHECKSUM_MISMATCH naming the file and both digests. */
  finish(): void;
}

function toBase64(hex: string): string {
  const bytes = hex.match(/../g)?.map((h) => parseInt(h, 16)) ?? [];
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * What to say when the bytes were decoded in transit: the likely cause of the mismatch, and what
 * the server's owner must change.
 */
function transitAdvice(t: TransitEncoding): string {
  const how = t.contentEncoding
    ? `with Content-Encoding: ${t.contentEncoding}`
    : 'compressed for transit (its Content-Encoding header is not exposed to this page)';
  const sent =
    t.sentBytes === undefined ? '' : ` (${t.sentBytes} bytes sent, ${t.readBytes} after decoding)`;
  return (
    `. The server re-encoded the file in transit: it sent it ${how}${sent}, and the browser ` +
    'decoded it, so the bytes read are not the file as published. Serve the file as it is, ' +
    'with no Content-Encoding header (a .gz file as Content-Type: application/gzip; on S3 or ' +
    "a CDN, remove the object's Content-Encoding metadata)"
  );
}

/**
 * Creates a verifier, or null when the file declares no checksum. sha256 wins over md5.
 * `transit` tells, once the bytes are read, whether the server encoded them for transit; a
 * mismatch then says so, since that is the likely cause.
 */
export async function createVerifier(
  expected: Expected,
  file: string,
  transit?: () => TransitEncoding | undefined,
): Promise<Verifier | null> {
  const algo = expected.sha256 ? 'sha256' : expected.md5 ? 'md5' : null;
  if (!algo) return null;
  const want = (algo === 'sha256' ? expected.sha256 : expected.md5)!.trim();
  const hasher = await createHasher(algo);
  hasher.init();
  let bytes = 0;
  return {
    update(chunk) {
      hasher.update(chunk);
      bytes += chunk.byteLength;
    },
    finish() {
      const hex = hasher.digest('hex');
      if (want.toLowerCase() === hex || want === toBase64(hex)) return;
      const encoded = transit?.();
      throw new CroissantError(
        'CHECKSUM_MISMATCH',
        `${algo} mismatch for ${file}: the document declares ${want}, the ${bytes} bytes read hash to ${hex}` +
          (encoded ? transitAdvice(encoded) : '. The file changed or is corrupt'),
        { location: { file } },
      );
    },
  };
}
