/**
 * Signature V4 for {@link S3Remote}: aws4fetch's `AwsV4Signer` builds the canonical request (the
 * part that is easy to get wrong: path and query encoding, signed headers). Its hash and HMACs go
 * through WebCrypto, which in Node runs each as a job handed to the thread pool: two per request
 * (the canonical request's sha256, the signature's HMAC), about 0.5 ms of the event loop's CPU
 * per request, 14 ms of a push of bench/remote.ts's 27 requests. In Node the same two steps run
 * through `node:crypto` (synchronous, native); browsers and workers keep WebCrypto.
 */
import { AwsV4Signer } from 'aws4fetch';
import type * as NodeCrypto from 'node:crypto';
import { loadNodeCrypto } from '../io/node-crypto.ts';

/** What a signer is made from (aws4fetch's options). */
export type SignerInit = ConstructorParameters<typeof AwsV4Signer>[0];

/** aws4fetch's signer with its hash and HMACs computed by `node:crypto`. */
class NodeSigner extends AwsV4Signer {
  readonly #crypto: typeof NodeCrypto;

  constructor(init: SignerInit, crypto: typeof NodeCrypto) {
    super(init);
    this.#crypto = crypto;
  }

  #hmac(key: string | Uint8Array, text: string): Buffer {
    return this.#crypto.createHmac('sha256', key).update(text, 'utf8').digest();
  }

  /** As aws4fetch's `signature()`, step for step, with the derived key kept in `cache` alike. */
  override async signature(): Promise<string> {
    const date = this.datetime.slice(0, 8);
    const cacheKey = [this.secretAccessKey, date, this.region, this.service].join();
    const cached = this.cache.get(cacheKey);
    let key: Uint8Array;
    if (cached) key = new Uint8Array(cached);
    else {
      const kDate = this.#hmac(`AWS4${this.secretAccessKey}`, date);
      const kRegion = this.#hmac(kDate, this.region);
      const kService = this.#hmac(kRegion, this.service);
      key = this.#hmac(kService, 'aws4_request');
      this.cache.set(cacheKey, Uint8Array.from(key).buffer);
    }
    return this.#hmac(key, await this.stringToSign()).toString('hex');
  }

  override async stringToSign(): Promise<string> {
    const canonical = await this.canonicalString();
    const hash = this.#crypto.createHash('sha256').update(canonical, 'utf8').digest('hex');
    return ['AWS4-HMAC-SHA256', this.datetime, this.credentialString, hash].join('\n');
  }
}

/** A Signature V4 signer: `node:crypto` in Node, WebCrypto elsewhere (aws4fetch's own). */
export async function signer(init: SignerInit): Promise<AwsV4Signer> {
  const crypto = await loadNodeCrypto();
  return crypto ? new NodeSigner(init, crypto) : new AwsV4Signer(init);
}
