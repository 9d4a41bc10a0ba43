/**
 * The offline path of "chat with your data" (issue 18 §1): a GGUF model file the user picks,
 * run in this tab by llama.cpp compiled to WebAssembly (`@wllama/wllama`). Its wasm is the app's
 * own built file (a `?url` import, precached like DuckDB's), never a CDN: wllama's "compat"
 * resources, which come from a CDN, are turned off. No weights are bundled. Multithreading uses
 * the page's cross-origin isolation when it has it.
 *
 * The file is checked before llama.cpp sees it (the GGUF magic and version at byte 0), so a
 * wrong file is named with what it is not; what llama.cpp refuses after that is quoted.
 */
import { Wllama, type WllamaLogger } from '@wllama/wllama/esm/index.js';
import wllamaWasm from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { ChatError } from '../lib/chat/errors.ts';
import type { StreamOptions } from '../lib/chat/client.ts';
import type { ChatMessage } from '../lib/chat/request.ts';

/** Longest answer asked of the in-tab model, in tokens. */
const MAX_TOKENS = 512;
/** Context the model is loaded with: room for the grounding prompt (about 6,000 tokens) and the answer. */
const CONTEXT_TOKENS = 8192;

/**
 * wllama logs every step of llama.cpp: only warnings and errors pass, errors to `onLine`
 * (which quotes llama.cpp's reason when a load fails). It reports a worker that failed (not
 * started, crashed) only through `error`, leaving the call it was serving pending for ever, so
 * `onError` hears of it and fails that call.
 */
function logger(onError: (what: string) => void, onLine: (line: string) => void): WllamaLogger {
  return {
    debug: () => undefined,
    log: () => undefined,
    warn: (...a: unknown[]) => console.warn(...a),
    error: (...a: unknown[]) => {
      const [first] = a;
      const what =
        first instanceof ErrorEvent
          ? first.message || 'its worker failed'
          : first instanceof Event
            ? `its worker failed (${first.type})`
            : a.map(String).join(' ');
      // A failed worker is reported to the caller as an error; other messages are logged.
      if (first instanceof Event) onError(what);
      else onLine(what);
    },
  };
}

/**
 * Checks that `file` starts like a GGUF file (magic `GGUF`, then a version 1–3, little endian):
 * throws MODEL_FILE naming the file and the byte offset otherwise.
 */
export async function checkGguf(file: Blob & { name?: string }): Promise<void> {
  const name = file.name ?? 'the model file';
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (head.length < 8) {
    throw new ChatError(
      'MODEL_FILE',
      `${name} is ${head.length} bytes long: too short to be a GGUF model`,
    );
  }
  const magic = String.fromCharCode(...head.subarray(0, 4));
  if (magic !== 'GGUF') {
    throw new ChatError(
      'MODEL_FILE',
      `${name} is not a GGUF model: it starts with ${JSON.stringify(magic)} at byte 0, not "GGUF". Pick a .gguf file (llama.cpp's format).`,
    );
  }
  const version = new DataView(head.buffer).getUint32(4, true);
  if (version < 1 || version > 3) {
    throw new ChatError(
      'MODEL_FILE',
      `${name}: GGUF version ${version} at byte 4 is not one llama.cpp reads (1 to 3)`,
    );
  }
}

/** A GGUF model loaded in this tab; see the module comment. */
export class LocalModel {
  readonly name: string;
  readonly #wllama: Wllama;

  private constructor(name: string, wllama: Wllama) {
    this.name = name;
    this.#wllama = wllama;
  }

  /** Loads `file`; rejects with MODEL_FILE when it is not a model llama.cpp can load. */
  static async load(file: File): Promise<LocalModel> {
    await checkGguf(file);
    let failed: (e: Error) => void = () => undefined;
    const workerFailed = new Promise<never>((_, reject) => (failed = reject));
    /** llama.cpp's error lines while loading: its reason, when it refuses the file. */
    const lines: string[] = [];
    let loading = true;
    const wllama = new Wllama(
      { default: wllamaWasm },
      {
        logger: logger(
          (what) => failed(new Error(what)),
          (line) => (loading ? lines.push(line) : console.error(line)),
        ),
      },
    );
    // The compat resources are fetched from a CDN: never.
    wllama.setCompat(null);
    try {
      await Promise.race([
        workerFailed,
        wllama.loadModel([file], {
          n_ctx: CONTEXT_TOKENS,
          // Without isolation there are no threads to share memory with.
          ...(globalThis.crossOriginIsolated ? {} : { n_threads: 1 }),
        }),
      ]);
      // wllama resolves even when llama.cpp refused the file: its answer says so.
      const info = wllama.getLoadedContextInfo() as { success?: boolean; n_vocab: number };
      if (info.success === false || !info.n_vocab) {
        const reason = lines.find((l) => /error loading model/.test(l)) ?? lines.at(-1);
        throw new Error(reason?.replace(/^.*error loading model:\s*/, '') ?? 'no reason given');
      }
    } catch (e) {
      await wllama.exit().catch(() => undefined);
      const why = e instanceof Error ? e.message : String(e);
      throw new ChatError(
        'MODEL_FILE',
        `${file.name} could not be loaded by llama.cpp: ${why}. Is it a complete GGUF model file?`,
        { cause: e },
      );
    }
    loading = false;
    return new LocalModel(file.name, wllama);
  }

  /** Answers `messages`, streaming pieces to `onDelta` (the shape `askForSql`'s `send` takes). */
  async chat(messages: readonly ChatMessage[], opts: StreamOptions): Promise<string> {
    let text = '';
    try {
      await this.#wllama.createChatCompletion({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        max_tokens: MAX_TOKENS,
        temperature: 0,
        stream: true,
        ...(opts.signal ? { abortSignal: opts.signal } : {}),
        onData: (chunk) => {
          const piece = chunk.choices[0]?.delta.content;
          if (piece) {
            text += piece;
            opts.onDelta?.(piece);
          }
        },
      });
    } catch (e) {
      if (opts.signal?.aborted) throw new ChatError('ABORTED', 'the question was cancelled');
      throw new ChatError('MALFORMED', `the model ${this.name} failed: ${String(e)}`, {
        cause: e,
      });
    }
    if (!text.trim()) throw new ChatError('EMPTY', `the model ${this.name} gave an empty answer`);
    return text;
  }

  /** Frees the model's memory and its worker. */
  async unload(): Promise<void> {
    await this.#wllama.exit();
  }
}
