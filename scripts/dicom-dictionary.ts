/**
 * Writes src/lib/dicom/dictionary.json (tag → "Keyword|VR") from dcmjs's copy of the DICOM
 * data dictionary (PS3.6), for the tag browser. Run again when dcmjs is updated:
 *
 *   npx tsx scripts/dicom-dictionary.ts
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { data } = createRequire(import.meta.url)('dcmjs') as {
  data: { DicomMetaDictionary: { nameMap: Record<string, { tag: string; vr: string }> } };
};
const out: Record<string, string> = {};
for (const [name, entry] of Object.entries(data.DicomMetaDictionary.nameMap)) {
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(entry.tag);
  if (m) out[`${m[1]}${m[2]}`.toLowerCase()] = `${name}|${entry.vr}`;
}
const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  new URL('../src/lib/dicom/dictionary.json', import.meta.url),
  JSON.stringify(sorted) + '\n',
);
console.log(`${Object.keys(sorted).length} tags`);
