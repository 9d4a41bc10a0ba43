/** Turns what the user dropped or picked into files with relative paths, for the worker. */
import type { DroppedFile } from '../../workers/api/croissant.api.ts';

/** Files from one drop or pick, with a name for them. */
export interface DroppedSelection {
  files: DroppedFile[];
  /** The dropped folder's name, when everything lies in one folder. */
  rootName?: string;
  label: string;
}

/** From an `<input type=file>` (with or without `webkitdirectory`). */
export function fromFileList(list: FileList | File[]): DroppedSelection {
  return selection([...list].map((file) => ({ file, path: file.webkitRelativePath || file.name })));
}

/**
 * From a drop. Entries must be taken from the DataTransfer before the first await: the browser
 * empties it once the drop event returns.
 */
export async function fromDataTransfer(dt: DataTransfer): Promise<DroppedSelection> {
  const entries = [...dt.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry())
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (entries.length === 0) return fromFileList(dt.files);
  const files: DroppedFile[] = [];
  for (const entry of entries) await walk(entry, files);
  return selection(files);
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

async function walk(entry: FileSystemEntry, out: DroppedFile[]): Promise<void> {
  if (isFile(entry)) {
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\/+/, '') });
  } else if (isDirectory(entry)) {
    const reader = entry.createReader();
    // readEntries returns at most 100 entries per call; an empty batch means the end.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, out);
    }
  }
}

function selection(files: DroppedFile[]): DroppedSelection {
  const roots = new Set(files.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  const [root] = roots;
  const rootName = roots.size === 1 && root ? root : undefined;
  const first = files[0];
  const label =
    rootName ?? (files.length === 1 && first ? first.file.name : `${files.length} files`);
  return rootName ? { files, rootName, label } : { files, label };
}
