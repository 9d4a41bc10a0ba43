/**
 * Multipart uploads of large objects. Parts are uploaded in order; after each, the journal
 * (when given) records its ETag, so an upload interrupted by a dropped connection or a closed
 * tab resumes at the next part instead of starting over. The object appears under its key only
 * when the upload completes (S3 assembles it atomically), so a reader never sees half of it.
 */
import type { PutOptions, UploadState } from './remote.ts';
import { PART_SIZE, type S3Remote } from './s3.ts';

/** Uploads `bytes` to `key` in parts; returns the object's ETag. */
export async function putMultipart(
  s3: S3Remote,
  key: string,
  bytes: Uint8Array,
  opts: PutOptions,
): Promise<string> {
  for (let tries = 0; ; tries++) {
    let state = await opts.resume?.get(key);
    if (!state || state.size !== bytes.byteLength || state.partSize !== PART_SIZE) {
      state = {
        uploadId: await s3.createUpload(key, opts.signal),
        partSize: PART_SIZE,
        size: bytes.byteLength,
        parts: {},
      };
      await opts.resume?.set(key, state);
    }
    const etag = await upload(s3, key, bytes, state, opts);
    if (etag !== null) {
      await opts.resume?.clear(key);
      return etag;
    }
    // The upload is gone (aborted or expired on the server): start a new one, once.
    await opts.resume?.clear(key);
    if (tries >= 1) throw new Error(`multipart upload of ${key} vanished twice`);
  }
}

async function upload(
  s3: S3Remote,
  key: string,
  bytes: Uint8Array,
  state: UploadState,
  opts: PutOptions,
): Promise<string | null> {
  const count = Math.ceil(bytes.byteLength / state.partSize);
  let sent = 0;
  for (let n = 1; n <= count; n++) {
    const part = bytes.subarray(
      (n - 1) * state.partSize,
      Math.min(n * state.partSize, bytes.byteLength),
    );
    if (!state.parts[n]) {
      const etag = await s3.uploadPart(key, state, n, part, opts.signal);
      if (etag === null) return null;
      state.parts[n] = etag;
      await opts.resume?.set(key, state);
    }
    sent += part.byteLength;
    opts.onBytes?.(sent);
  }
  return s3.completeUpload(key, state, opts.signal);
}
