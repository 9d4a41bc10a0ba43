/**
 * Image bytes for a grid of thumbnails, asked of the lake worker together: the tiles that come
 * into view in one go each ask for their image, and those asks (for one dataset at one revision)
 * go out as one `images` call once the current task is done, so the worker reads a pack's
 * images as one range instead of opening the chunk's file once an image (about 12 ms each in
 * Chromium: 48 thumbnails of the demo took 590–640 ms). When a batch fails (one damaged image
 * fails all of it), each of its images is asked alone, so that only the damaged one's tile
 * shows the error.
 */

/** The lake calls this needs (the page's LakeCatalog, or a test's stand-in). */
export interface ImageLake {
  call(method: 'image', args: [string, string, string]): Promise<Uint8Array<ArrayBuffer>>;
  call(method: 'images', args: [string, string, string[]]): Promise<Uint8Array<ArrayBuffer>[]>;
}

/** At most this many images a call. */
const MAX_BATCH = 64;

interface Waiting {
  resolve: (b: Uint8Array<ArrayBuffer>) => void;
  reject: (e: unknown) => void;
}

interface Batch {
  lake: ImageLake;
  dataset: string;
  rev: string;
  /** sha256 → whoever asked for it (the same image twice is read once). */
  asks: Map<string, Waiting[]>;
}

const open = new Map<string, Batch>();

/**
 * The bytes of image `sha256` of `dataset` at `rev`, read with the others asked for before the
 * current task ends. Each caller gets a buffer of its own (it may transfer or detach it).
 */
export function batchedImage(
  lake: ImageLake,
  dataset: string,
  rev: string,
  sha256: string,
  /** Rejects the ask once it fires (the batch it went out with is still read). */
  signal?: AbortSignal,
): Promise<Uint8Array<ArrayBuffer>> {
  if (signal?.aborted) return Promise.reject(signal.reason as unknown);
  const key = JSON.stringify([dataset, rev]);
  let batch = open.get(key);
  if (batch && batch.lake !== lake) batch = undefined;
  if (!batch) {
    batch = { lake, dataset, rev, asks: new Map() };
    open.set(key, batch);
    const mine = batch;
    setTimeout(() => {
      if (open.get(key) === mine) open.delete(key);
      void send(mine);
    }, 0);
  }
  const b = batch;
  return new Promise((resolve, reject) => {
    // The listener goes when the ask is answered: a viewer's signal sees hundreds of asks.
    const onAbort = () => reject(signal?.reason as unknown);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    const list = b.asks.get(sha256) ?? [];
    list.push({
      resolve: (bytes) => {
        settle();
        resolve(bytes);
      },
      reject: (e) => {
        settle();
        reject(e);
      },
    });
    b.asks.set(sha256, list);
    if (b.asks.size >= MAX_BATCH && open.get(key) === b) open.delete(key);
  });
}

async function send({ lake, dataset, rev, asks }: Batch): Promise<void> {
  const shas = [...asks.keys()];
  let got: Uint8Array<ArrayBuffer>[] | null = null;
  try {
    got = shas.length === 1 ? null : await lake.call('images', [dataset, rev, shas]);
  } catch {
    // Not lost: each image is then asked alone below, and its own error reaches its tile.
    got = null;
  }
  await Promise.all(
    shas.map(async (sha, i) => {
      const waiting = asks.get(sha)!;
      try {
        const bytes = got?.[i] ?? (await lake.call('image', [dataset, rev, sha]));
        waiting.forEach((w, k) => w.resolve(k === 0 ? bytes : bytes.slice()));
      } catch (e) {
        for (const w of waiting) w.reject(e);
      }
    }),
  );
}
