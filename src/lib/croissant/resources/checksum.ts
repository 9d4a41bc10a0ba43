/**
 * Streaming checksum verification (md5, sha256; hex or base64), through hasher.ts.
 */
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

/** Creates a verifier, or null when the file declares no checksum. sha256 wins over md5. */
export async function createVerifier(expected: Expected, file: string): Promise<Verifier | null> {
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
      throw new CroissantError(
        'CHECKSUM_MISMATCH',
        `${algo} mismatch for ${file}: the document declares ${want}, the ${bytes} bytes read hash to ${hex}. The file changed or is corrupt`,
        { location: { file } },
      );
    },
  };
}
