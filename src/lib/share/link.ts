/**
 * Share links: a recipe, deflated (fflate) and base64url-encoded, in the URL's fragment
 * (`<app>#share=<data>`), which browsers never send to a server. A recipe too long for a link
 * goes into a downloadable recipe file (plain JSON, readable before anything is run). Reading
 * either never throws anything but a LakeError BAD_INPUT that says what is wrong and where.
 */
import { decodeLinkData, encodeLinkData } from '../io/link-data.ts';
import { LakeError } from '../store/errors.ts';
import { canonicalJson } from '../versions/manifest.ts';
import { validateRecipe, type Recipe } from './recipe-schema.ts';

/** Longest link made; longer recipes become a file. Browsers and chat apps cope with 8 KB. */
export const MAX_LINK_LENGTH = 8000;
/** Longest `share=` data read (links made elsewhere may be longer than ours). */
const MAX_LINK_DATA = 64 * 1024;
/** Largest recipe in a link once decompressed, and as a file. */
const MAX_LINK_RECIPE_BYTES = 4 * 1024 * 1024;
const MAX_RECIPE_BYTES = 16 * 1024 * 1024;

/** A recipe file to download. */
export interface RecipeFile {
  name: string;
  bytes: Uint8Array;
}

/** A share link, or a file when the recipe does not fit in one. */
export type ShareLink = { url: string } | { tooLong: true; length: number; file: RecipeFile };

function bad(where: string, problem: string, cause?: unknown): LakeError {
  return new LakeError('BAD_INPUT', `${where}: ${problem}`, { cause });
}

/** The recipe as a downloadable, human-readable JSON file. */
export function recipeFile(recipe: Recipe): RecipeFile {
  const checked = validateRecipe(recipe, 'recipe');
  const slug = `${checked.dataset}-${checked.branch}`.replace(/[^A-Za-z0-9._-]+/g, '-');
  const text = JSON.stringify(JSON.parse(canonicalJson(checked)), null, 2) + '\n';
  return { name: `${slug}.recipe.json`, bytes: new TextEncoder().encode(text) };
}

/**
 * The share link of a recipe: `appUrl` (origin and path only: its query and fragment are
 * dropped, so nothing of the sender's session travels) + `#share=` + base64url(deflate(JSON)).
 * Over {@link MAX_LINK_LENGTH} characters it gives `{tooLong, file}` instead. The recipe is
 * validated first: an unsafe one is BAD_INPUT, never a link.
 */
export function encodeShareLink(recipe: Recipe, appUrl: string): ShareLink {
  const checked = validateRecipe(recipe, 'recipe');
  let base: URL;
  try {
    base = new URL(appUrl);
  } catch (e) {
    throw bad('share link', `the app URL ${JSON.stringify(appUrl)} is not an absolute URL`, e);
  }
  const data = encodeLinkData(canonicalJson(checked));
  const url = `${base.origin}${base.pathname}#share=${data}`;
  if (url.length <= MAX_LINK_LENGTH) return { url };
  return { tooLong: true, length: url.length, file: recipeFile(checked) };
}

/** The `share=` data of a link, a fragment (`#share=…`) or the bare `share=…`. */
function shareData(input: string, where: string): string {
  const text = input.trim();
  const hash = text.indexOf('#');
  const fragment = hash >= 0 ? text.slice(hash + 1) : text;
  let data: string | null;
  try {
    data = new URLSearchParams(fragment).get('share');
  } catch (e) {
    throw bad(where, 'the link fragment cannot be read', e);
  }
  if (data === null) {
    throw bad(where, 'there is no "#share=" part: this is not a croissant-lake share link');
  }
  if (!data) throw bad(where, 'the "#share=" part is empty; the link is cut off');
  if (data.length > MAX_LINK_DATA) {
    throw bad(where, `the share data is ${data.length} characters, over ${MAX_LINK_DATA}`);
  }
  return data;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw bad(where, `the recipe is not valid JSON (${(e as Error).message})`, e);
  }
}

/** Runs `fn`, turning anything but a LakeError into BAD_INPUT naming `where`. */
function guarded<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LakeError) throw e;
    throw bad(where, `cannot be read: ${String((e as Error)?.message ?? e)}`, e);
  }
}

/**
 * Reads the recipe of a share link (a whole URL, its `#share=…` fragment, or `share=…`).
 * Malformed input is BAD_INPUT saying what is wrong: no share part, bad base64url, data that
 * does not decompress, bad JSON, another format or version, a missing or bad field (by path),
 * or an unsafe source. Nothing else is thrown.
 */
export function decodeShareLink(input: string): Recipe {
  const where = 'share link';
  return guarded(where, () => {
    if (typeof input !== 'string') throw bad(where, 'is not text');
    const raw = decodeLinkData(
      shareData(input, where),
      MAX_LINK_RECIPE_BYTES,
      'the recipe',
      (problem, cause) => bad(where, problem.replace(/^the data/, 'the share data'), cause),
    );
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch (e) {
      throw bad(where, 'the recipe is not UTF-8 text', e);
    }
    return validateRecipe(parseJson(text, where), where);
  });
}

/** Reads a recipe file (as {@link recipeFile} writes it), with the same checks as a link. */
export function parseRecipeFile(bytes: Uint8Array): Recipe {
  const where = 'recipe file';
  return guarded(where, () => {
    if (!(bytes instanceof Uint8Array)) throw bad(where, 'is not bytes');
    if (bytes.byteLength > MAX_RECIPE_BYTES) {
      throw bad(where, `is ${bytes.byteLength} bytes, over ${MAX_RECIPE_BYTES}`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      throw bad(where, 'is not UTF-8 text', e);
    }
    return validateRecipe(parseJson(text.replace(/^\uFEFF/, ''), where), where);
  });
}
