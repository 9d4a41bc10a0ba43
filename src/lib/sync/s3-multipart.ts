/**
 * Multipart uploads of large objects. Parts are uploaded in order; after each, the journal
 * (when given) records its ETag, so an upload interrupted by a dropped connection or a closed
 * tab resumes at the next part instead of starting over. The object appears under its key only
 * when the upload completes (S3 assembles it atomically), so a reader never sees half of it.
 */
import { LakeError } from '../store/errors.ts';
import type { PutOptions, UploadState } from './remote.ts';
import { escapeXml, textOf } from './s3-xml.ts';
import type { S3Transport } from './s3-transport.ts';

/** Objects from this size up are uploaded in parts. */
export const MULTIPART_FROM = 8 * 1024 * 1024;
/** The part size of multipart uploads (S3's minimum is 5 MiB, except for the last part). */
export const PART_SIZE = 5 * 1024 * 1024;

/** Uploads `bytes` to `key` in parts; returns the object's ETag. */
export async function putMultipart(
  s3: S3Transport,
  key: string,
  bytes: Uint8Array,
  opts: PutOptions,
): Promise<string> {
  for (let tries = 0; ; tries++) {
    let state = await opts.resume?.get(key);
    if (!state || state.size !== bytes.byteLength || state.partSize !== PART_SIZE) {
      state = {
        uploadId: await createUpload(s3, key, opts.signal),
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
    if (tries >= 1) {
      throw new LakeError(
        'IO',
        `multipart upload of "${s3.fullKey(key)}" on ${s3.label} vanished twice (the server ` +
          'aborted or expired it); try again',
      );
    }
  }
}

async function upload(
  s3: S3Transport,
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
      const etag = await uploadPart(s3, key, state, n, part, opts.signal);
      if (etag === null) return null;
      state.parts[n] = etag;
      await opts.resume?.set(key, state);
    }
    sent += part.byteLength;
    opts.onBytes?.(sent);
  }
  return completeUpload(s3, key, state, opts.signal);
}

/** Starts a multipart upload; its id. */
async function createUpload(s3: S3Transport, key: string, signal?: AbortSignal): Promise<string> {
  const op = 'CreateMultipartUpload';
  const res = await s3.send({ op, method: 'POST', key, query: { uploads: '' }, signal });
  if (!res.ok) return s3.fail(res, op, key);
  const id = textOf(await res.text(), 'UploadId');
  if (!id) throw new LakeError('IO', `${op} of "${s3.fullKey(key)}" gave no UploadId`);
  return id;
}

/** Uploads part `n` (1-based); its ETag, or null when the upload is gone. */
async function uploadPart(
  s3: S3Transport,
  key: string,
  state: UploadState,
  n: number,
  bytes: Uint8Array,
  signal?: AbortSignal,
): Promise<string | null> {
  const op = 'UploadPart';
  const res = await s3.send({
    op,
    method: 'PUT',
    key,
    query: { partNumber: String(n), uploadId: state.uploadId },
    body: bytes,
    signal,
  });
  if (!res.ok && res.status !== 404) return s3.fail(res, op, key);
  await res.body?.cancel().catch(() => undefined);
  return res.ok ? s3.etagOf(res, op, key) : null;
}

/** Completes a multipart upload; its ETag, or null when the upload is gone. */
async function completeUpload(
  s3: S3Transport,
  key: string,
  state: UploadState,
  signal?: AbortSignal,
): Promise<string | null> {
  const op = 'CompleteMultipartUpload';
  const parts = Object.entries(state.parts)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(
      ([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`,
    );
  const body = `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`;
  const res = await s3.send({
    op,
    method: 'POST',
    key,
    query: { uploadId: state.uploadId },
    headers: { 'content-type': 'application/xml' },
    body,
    signal,
  });
  if (res.status === 404) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  const text = await res.text();
  // S3 may answer 200 with an error document once the parts are assembled.
  if (!res.ok || /<Error>/.test(text)) throw s3.errorOf(res.ok ? 500 : res.status, text, op, key);
  return textOf(text, 'ETag') ?? '';
}
