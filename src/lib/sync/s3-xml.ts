/**
 * The few S3 XML responses the remote reads (ListObjectsV2, errors, multipart uploads). S3's
 * XML is flat and fixed; a worker has no DOMParser, so elements are picked out by name.
 */

function decode(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name, dec, hex) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[name as string] ?? m;
  });
}

/** The text of every `<tag>…</tag>` in `xml`, decoded. */
export function allOf(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  for (const m of xml.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The decoded text of the first `<tag>`, or undefined. */
export function textOf(xml: string, tag: string): string | undefined {
  const first = allOf(xml, tag)[0];
  return first === undefined ? undefined : decode(first);
}

/** A ListObjectsV2 page. */
export interface ListPage {
  contents: { key: string; size: number; etag: string; lastModified: number }[];
  nextToken: string | undefined;
}

/** Parses a ListObjectsV2 response. */
export function parseList(xml: string): ListPage {
  const contents = allOf(xml, 'Contents').map((c) => ({
    key: textOf(c, 'Key') ?? '',
    size: Number(textOf(c, 'Size') ?? 0),
    etag: textOf(c, 'ETag') ?? '',
    lastModified: Date.parse(textOf(c, 'LastModified') ?? '') || 0,
  }));
  const truncated = textOf(xml, 'IsTruncated') === 'true';
  return { contents, nextToken: truncated ? textOf(xml, 'NextContinuationToken') : undefined };
}

/** An S3 error response's code and message (empty strings when the body is not one). */
export function parseError(xml: string): { code: string; message: string } {
  return { code: textOf(xml, 'Code') ?? '', message: textOf(xml, 'Message') ?? '' };
}

/** Escapes text for an XML body. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
