/**
 * Exporting a dataset version from the page: as a .tar download (the lake worker streams the
 * archive into a File, which is downloaded without another copy), or into a folder the user
 * picks (File System Access API: the worker writes the files through the picked handle).
 * Progress and cancel; a failed or cancelled export leaves no file (the worker discards it).
 */
import type { ExportInfo, ExportProgress, RecordSetScope } from '../../workers/api/lake.api.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** Where an export stands. */
export type ExportState =
  | { status: 'idle' }
  | {
      status: 'exporting';
      kind: 'tar' | 'folder';
      progress: ExportProgress | null;
      cancelling: boolean;
    }
  | { status: 'downloaded'; info: ExportInfo; name: string; href: string }
  | { status: 'written'; info: ExportInfo; folder: string; parent: string }
  | { status: 'cancelled' }
  | { status: 'failed'; error: ErrorInfo };

/** What to export: a dataset version, and the branch or tag name that names the files. */
export interface ExportTarget {
  dataset: string;
  rev: string;
  label?: string | undefined;
  /** Record set @ids to export; absent: all of them (the version as it is). */
  recordSets?: string[] | undefined;
}

/** What the version holds per record set (filtered or whole), read before an export. */
export type ScopeState =
  | { status: 'idle' | 'loading' }
  | { status: 'ready'; dataset: string; rev: string; items: RecordSetScope[] }
  | { status: 'failed'; error: ErrorInfo };

/** The worker's options for `t`. */
export function exportChoice(t: ExportTarget): { label?: string; recordSets?: string[] } {
  return {
    ...(t.label ? { label: t.label } : {}),
    // A copy: the page's list may be reactive state, which cannot cross to the worker.
    ...(t.recordSets ? { recordSets: [...t.recordSets] } : {}),
  };
}

type DirectoryPicker = (opts?: {
  id?: string;
  mode?: 'read' | 'readwrite';
}) => Promise<FileSystemDirectoryHandle>;

/** `window.showDirectoryPicker` where the browser has it (Chromium), else undefined. */
function directoryPicker(): DirectoryPicker | undefined {
  const w = globalThis as { showDirectoryPicker?: DirectoryPicker };
  return typeof w.showDirectoryPicker === 'function' ? w.showDirectoryPicker.bind(w) : undefined;
}

/** True where "Export to folder…" can work. */
export function canExportToFolder(): boolean {
  return directoryPicker() !== undefined;
}

/** Saves `href` as `name` through a temporary link, as a download. */
function download(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}

/** See the module comment. */
export class LakeExport {
  state = $state.raw<ExportState>({ status: 'idle' });
  scope = $state.raw<ScopeState>({ status: 'idle' });

  readonly #lake: LakeCatalog;
  #running: AbortController | null = null;
  #href: string | null = null;
  #scopeFor: { dataset: string; rev: string } | null = null;
  #destroyed = false;

  constructor(lake: LakeCatalog) {
    this.#lake = lake;
  }

  /** Reads what `dataset` at `rev` holds per record set (the last call wins). Never throws. */
  async loadScope(dataset: string, rev: string): Promise<void> {
    const asked = { dataset, rev };
    this.#scopeFor = asked;
    this.scope = { status: 'loading' };
    try {
      const items = await this.#lake.call('exportScope', [dataset, rev]);
      if (this.#scopeFor === asked && !this.#destroyed)
        this.scope = { status: 'ready', dataset, rev, items };
    } catch (e) {
      if (this.#scopeFor === asked && !this.#destroyed)
        this.scope = { status: 'failed', error: describeError(e) };
    }
  }

  /** Exports `t` as a .tar and downloads it. Never throws. */
  async downloadTar(t: ExportTarget): Promise<void> {
    const signal = this.#start('tar');
    if (!signal) return;
    try {
      const r = await this.#lake.call('exportTar', [t.dataset, t.rev, exportChoice(t)], {
        signal,
        onProgress: (p) => this.#progress(p),
      });
      if (this.#destroyed) return;
      const { file, ...info } = r;
      this.#href = URL.createObjectURL(file);
      download(this.#href, file.name);
      this.state = { status: 'downloaded', info, name: file.name, href: this.#href };
    } catch (e) {
      this.#fail(e, signal);
    } finally {
      this.#running = null;
    }
  }

  /**
   * Asks for a folder, then exports `t` into a new folder inside it. Call it straight from a
   * click: the browser opens its picker only during a user gesture. Never throws.
   */
  async toFolder(t: ExportTarget): Promise<void> {
    const pick = directoryPicker();
    if (!pick || this.#running) return;
    let parent: FileSystemDirectoryHandle;
    try {
      parent = await pick({ id: 'croissant-lake-export', mode: 'readwrite' });
    } catch (e) {
      // Closing the picker is not an error.
      if ((e as { name?: string }).name !== 'AbortError' && !this.#destroyed)
        this.state = { status: 'failed', error: describeError(e) };
      return;
    }
    const signal = this.#start('folder');
    if (!signal) return;
    try {
      const r = await this.#lake.call('exportFolder', [t.dataset, t.rev, parent, exportChoice(t)], {
        signal,
        onProgress: (p) => this.#progress(p),
      });
      if (this.#destroyed) return;
      const { folder, ...info } = r;
      this.state = { status: 'written', info, folder, parent: parent.name };
    } catch (e) {
      this.#fail(e, signal);
    } finally {
      this.#running = null;
    }
  }

  /** Stops the export in the worker; it then reports `cancelled`. */
  cancel(): void {
    if (this.state.status !== 'exporting' || !this.#running) return;
    this.state = { ...this.state, cancelling: true };
    this.#running.abort();
  }

  /** Forgets the last outcome (and the downloaded archive). */
  reset(): void {
    if (this.#running) return;
    this.#release();
    this.state = { status: 'idle' };
  }

  /** Cancels a running export; nothing lands afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#running?.abort();
    this.#release();
  }

  #start(kind: 'tar' | 'folder'): AbortSignal | null {
    if (this.#destroyed || this.#running) return null;
    this.#release();
    this.#running = new AbortController();
    this.state = { status: 'exporting', kind, progress: null, cancelling: false };
    return this.#running.signal;
  }

  #progress(p: ExportProgress): void {
    if (!this.#destroyed && this.state.status === 'exporting')
      this.state = { ...this.state, progress: p };
  }

  #fail(e: unknown, signal: AbortSignal): void {
    if (this.#destroyed) return;
    const error = describeError(e);
    this.state =
      signal.aborted && error.code === 'ABORTED'
        ? { status: 'cancelled' }
        : { status: 'failed', error };
  }

  #release(): void {
    if (this.#href) URL.revokeObjectURL(this.#href);
    this.#href = null;
  }
}
