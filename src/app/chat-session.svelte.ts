/**
 * The Query view's chat panel state (issue 18): the endpoint settings, the API key in the
 * encrypted vault (kept by the lake worker; the page fetches it for one request and keeps it
 * nowhere), the grounding prompt of the dataset shown (built in the query worker), the
 * conversation of that dataset (kept in this browser, chat-store.ts), the question in flight
 * with its streamed text, and each checked SQL's result when it ran. Nothing lands after
 * `destroy()`.
 */
import { tableFromIPC } from 'apache-arrow';
import { askForSql, questionMessages, runChecked } from '../lib/chat/answer.ts';
import type { ChartSuggestion } from '../lib/chat/chart.ts';
import { streamChat } from '../lib/chat/client.ts';
import { ChatError } from '../lib/chat/errors.ts';
import type { SchemaPrompt } from '../lib/chat/prompt.ts';
import {
  chatRequest,
  completionsUrl,
  type ChatMessage,
  type ChatRequest,
} from '../lib/chat/request.ts';
import { ChatKeys } from './chat-keys.svelte.ts';
import type { LocalModel } from './chat-local-model.ts';
import {
  nowIso,
  readConversation,
  readSettings,
  writeConversation,
  writeSettings,
  type ChatSettings,
  type StoredTurn,
} from './chat-store.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import type { QueryHost } from './query-host.svelte.ts';
import { RESULT_LIMIT, type RunResult } from './query-run.svelte.ts';

/** Earlier turns sent with a question (question and answer each). */
const HISTORY_TURNS = 4;

/** A turn's result once its SQL ran (this page only: rows are not kept). */
export type TurnRun =
  | { status: 'running' }
  | { status: 'done'; result: RunResult; chart: ChartSuggestion | null }
  | { status: 'failed'; error: ErrorInfo };

/** The question in flight. */
export interface Pending {
  question: string;
  /** 1, or 2 for the repair. */
  attempt: number;
  /** The text streamed so far for this attempt. */
  text: string;
  /** What was sent for each attempt so far. */
  requests: ChatRequest[];
}

/** See the module comment. */
export class ChatSession {
  settings = $state<ChatSettings>(readSettings());
  /** The endpoint's API key (stored or not, vault locked or not). */
  readonly keys: ChatKeys;
  grounding = $state.raw<
    | { status: 'idle' | 'loading' }
    | { status: 'ready'; prompt: SchemaPrompt }
    | { status: 'failed'; error: ErrorInfo }
  >({ status: 'idle' });
  turns = $state.raw<StoredTurn[]>([]);
  /** What was sent for each turn asked in this page (the disclosure after asking). */
  requests = $state.raw<Record<string, ChatRequest[]>>({});
  runs = $state.raw<Record<string, TurnRun>>({});
  pending = $state.raw<Pending | null>(null);
  /** The model file loaded in this tab, when the source is `local`. */
  local = $state.raw<LocalModel | null>(null);
  localStatus = $state.raw<{ status: 'none' | 'loading' } | { status: 'failed'; error: ErrorInfo }>(
    { status: 'none' },
  );

  dataset = $state<string | null>(null);
  rev = $state('main');
  /** Other datasets the prompt also describes (at `main`), for questions across datasets. */
  also = $state.raw<string[]>([]);

  readonly #host: QueryHost;
  #controller: AbortController | null = null;
  #destroyed = false;

  constructor(host: QueryHost, lake: LakeCatalog) {
    this.#host = host;
    this.keys = new ChatKeys(lake);
  }

  /** The endpoint's key-store id: its chat-completions URL (a key never goes elsewhere). */
  get endpointId(): string | null {
    try {
      return completionsUrl(this.settings.baseUrl);
    } catch {
      return null;
    }
  }

  /** Shows the conversation and grounding of `dataset` at `rev`. */
  target(dataset: string, rev: string): void {
    if (this.dataset === dataset && this.rev === rev) return;
    this.cancel();
    const moved = this.dataset !== dataset;
    this.dataset = dataset;
    this.rev = rev;
    if (moved) {
      this.turns = readConversation(dataset);
      this.runs = {};
      this.also = this.also.filter((d) => d !== dataset);
    }
    this.grounding = { status: 'idle' };
  }

  /** Sets the other datasets the prompt describes; the grounding is built again. */
  setAlso(datasets: readonly string[]): void {
    this.also = datasets.filter((d, i) => d !== this.dataset && datasets.indexOf(d) === i);
    this.grounding = { status: 'idle' };
  }

  /** Builds (once per dataset and revision) the system message in the query worker. */
  async ground(): Promise<SchemaPrompt | null> {
    const g = this.grounding;
    if (g.status === 'ready') return g.prompt;
    if (!this.dataset || g.status === 'loading') return null;
    const [dataset, rev, also] = [this.dataset, this.rev, this.also];
    this.grounding = { status: 'loading' };
    try {
      const picks = [{ dataset, rev }, ...also.map((d) => ({ dataset: d, rev: 'main' }))];
      const prompt = await this.#host.client.call('chatGrounding', [picks, {}]);
      if (this.#destroyed || this.dataset !== dataset || this.rev !== rev || this.also !== also)
        return null;
      this.grounding = { status: 'ready', prompt };
      return prompt;
    } catch (e) {
      if (!this.#destroyed) this.grounding = { status: 'failed', error: describeError(e) };
      return null;
    }
  }

  /** Stores the settings (the key goes to the vault, see {@link ChatKeys.save}). */
  saveSettings(): void {
    writeSettings(this.settings);
    void this.keys.load(this.endpointId);
  }

  /** The messages a question would send now (the disclosure before asking). */
  preview(question: string, system: string): ChatRequest | null {
    try {
      const messages = questionMessages(question || '…', { system, history: this.#history() });
      return chatRequest(this.#endpoint(), messages);
    } catch {
      return null;
    }
  }

  #endpoint() {
    const { baseUrl, model, source } = this.settings;
    return source === 'local' && this.local
      ? { id: 'in-tab', baseUrl: 'http://in-tab.invalid/', model: this.local.name }
      : { id: this.endpointId ?? baseUrl, baseUrl, model };
  }

  #history(): ChatMessage[] {
    return this.turns.slice(-HISTORY_TURNS).flatMap((t) => {
      const last = t.attempts.at(-1);
      return last
        ? [
            { role: 'user' as const, content: t.question },
            { role: 'assistant' as const, content: last.answer },
          ]
        : [];
    });
  }

  /** Asks `question`; the turn is kept whatever the outcome. Never throws. */
  async ask(question: string): Promise<void> {
    const dataset = this.dataset;
    if (!dataset || !question.trim() || this.pending) return;
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const endpoint = this.#endpoint();
    const history = this.#history();
    const pending: Pending = { question, attempt: 0, text: '', requests: [] };
    this.pending = pending;
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const turn: StoredTurn = {
      id,
      question,
      rev: this.rev,
      model: endpoint.model,
      attempts: [],
      sql: null,
      refused: false,
      at: nowIso(),
    };
    const local = this.settings.source === 'local' ? this.local : null;
    try {
      if (this.settings.source === 'local' && !local) {
        throw new ChatError('BAD_INPUT', 'pick a GGUF model file first, or use an endpoint');
      }
      const prompt = await this.ground();
      if (!prompt) {
        const why = this.grounding.status === 'failed' ? `: ${this.grounding.error.message}` : '';
        throw new ChatError('BAD_INPUT', `the schema of ${dataset} could not be read${why}`);
      }
      const answer = await askForSql(question, {
        endpoint,
        engine: this.#host.client,
        system: prompt.text,
        history,
        keys: this.keys.store,
        signal: controller.signal,
        origin: globalThis.location?.origin,
        send: (messages, o) => {
          pending.attempt++;
          pending.text = '';
          pending.requests.push(chatRequest(endpoint, messages));
          if (this.#controller === controller) this.pending = { ...pending };
          const onDelta = (d: string) => {
            pending.text += d;
            if (this.#controller === controller) this.pending = { ...pending };
          };
          return local
            ? local.chat(messages, { ...o, onDelta })
            : streamChat(endpoint, messages, { ...o, onDelta });
        },
      });
      turn.attempts = answer.attempts.map(({ answer: a, sql, failure }) => ({
        answer: a,
        sql,
        failure,
      }));
      turn.sql = answer.sql;
      turn.refused = answer.refused;
    } catch (e) {
      const err = describeError(e);
      turn.error = { code: err.code, message: err.message };
    }
    if (this.#destroyed || this.#controller !== controller) return;
    this.#controller = null;
    this.pending = null;
    this.requests = { ...this.requests, [id]: pending.requests };
    if (this.dataset !== dataset) return;
    this.turns = [...this.turns, turn];
    writeConversation(dataset, this.turns);
    if (turn.sql && this.settings.autoRun) void this.run(turn);
  }

  /** Runs a turn's checked SQL read-only, like any query. Never throws. */
  async run(turn: StoredTurn): Promise<void> {
    const sql = turn.sql;
    if (!sql) return;
    this.runs = { ...this.runs, [turn.id]: { status: 'running' } };
    let out: TurnRun;
    try {
      const r = await runChecked(this.#host.client, sql, { limit: RESULT_LIMIT });
      const result: RunResult = {
        sql,
        columns: r.columns,
        table: tableFromIPC(r.ipc),
        rows: r.rows,
        truncated: r.truncated,
        ms: r.ms,
        loaded: r.loaded,
      };
      out = { status: 'done', result, chart: r.chart };
    } catch (e) {
      out = { status: 'failed', error: describeError(e) };
    }
    if (!this.#destroyed) this.runs = { ...this.runs, [turn.id]: out };
  }

  /** Forgets this dataset's conversation, in this page and in the browser. */
  clear(): void {
    this.cancel();
    if (this.dataset) writeConversation(this.dataset, []);
    this.turns = [];
    this.runs = {};
    this.requests = {};
  }

  /** Loads a GGUF model file to run in this tab (the previous one is unloaded). */
  async loadLocal(file: File): Promise<void> {
    this.localStatus = { status: 'loading' };
    const old = this.local;
    this.local = null;
    await old?.unload().catch(() => undefined);
    try {
      const { LocalModel } = await import('./chat-local-model.ts');
      const m = await LocalModel.load(file);
      if (this.#destroyed) return void m.unload();
      this.local = m;
      this.localStatus = { status: 'none' };
    } catch (e) {
      if (!this.#destroyed) this.localStatus = { status: 'failed', error: describeError(e) };
    }
  }

  /** Cancels the question in flight. */
  cancel(): void {
    this.#controller?.abort();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#controller?.abort();
    this.keys.destroy();
    void this.local?.unload().catch(() => undefined);
  }
}
