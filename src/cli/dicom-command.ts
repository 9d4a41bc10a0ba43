/**
 * `croissant-lake dicom <file.dcm> [--frame N] [--raw OUT]`: what a DICOM file holds, as JSON
 * (transfer syntax, geometry, main tags; a frame's value range with --frame), and its decoded
 * stored values with --raw (little endian, frames × rows × columns × samples, interleaved, in
 * the file's own sample type; 1-bit data as one byte per pixel; no rescale, window or
 * inversion). A broken file gives a located error (tag, byte offset) and exit status 1.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { decodeFrame, type DecodedFrame } from '../lib/dicom/decode.ts';
import { DicomError } from '../lib/dicom/errors.ts';
import { useNodeWasm } from '../lib/dicom/node-wasm.ts';
import { parseDicom, type DicomHeader } from '../lib/dicom/parse.ts';
import { mainTags } from '../lib/dicom/tags.ts';

function describe(header: DicomHeader): Record<string, unknown> {
  const i = header.image;
  return {
    transferSyntax: {
      uid: header.syntax.uid,
      name: header.syntax.name,
      lossy: header.syntax.lossy,
    },
    sopClassUid: header.sopClassUid,
    modality: header.modality,
    ...(header.nonImage ? { nonImage: header.nonImage } : {}),
    ...(i
      ? {
          geometry: {
            rows: i.rows,
            columns: i.columns,
            frames: i.frames,
            samplesPerPixel: i.samplesPerPixel,
            bitsAllocated: i.bitsAllocated,
            bitsStored: i.bitsStored,
            highBit: i.highBit,
            pixelRepresentation: i.pixelRepresentation,
            photometricInterpretation: i.photometric,
            planarConfiguration: i.planarConfiguration,
          },
          rescale: { slope: i.rescaleSlope, intercept: i.rescaleIntercept, type: i.rescaleType },
        }
      : {}),
    tags: mainTags(header),
  };
}

function range(frame: DecodedFrame): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of frame.values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Runs `dicom`; returns the exit status. Errors are printed with their code and place. */
export async function dicomCommand(file: string, values: Record<string, unknown>): Promise<number> {
  const frameText = values.frame as string | undefined;
  const frameIndex = frameText === undefined ? undefined : Number(frameText);
  if (frameIndex !== undefined && (!Number.isInteger(frameIndex) || frameIndex < 0)) {
    console.error(`croissant-lake: --frame must be a non-negative integer, got "${frameText}"`);
    return 2;
  }
  useNodeWasm();
  try {
    const header = parseDicom(new Uint8Array(await readFile(file)));
    const out: Record<string, unknown> = { file, ...describe(header) };
    const raw = values.raw as string | undefined;
    if ((frameIndex !== undefined || raw) && !header.image) {
      throw new DicomError('NO_PIXEL_DATA', `${header.nonImage}: there are no frames to decode`);
    }
    if (frameIndex !== undefined) {
      const frame = await decodeFrame(header, frameIndex);
      out.frame = {
        index: frameIndex,
        sampleType: frame.sampleType,
        photometric: frame.photometric,
        ...range(frame),
      };
    }
    if (raw) {
      const frames =
        frameIndex !== undefined ? [frameIndex] : [...Array(header.image!.frames).keys()];
      const handle = await open(raw, 'w');
      let bytes = 0;
      try {
        for (const f of frames) {
          const v = (await decodeFrame(header, f)).values;
          const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
          await handle.write(b);
          bytes += b.length;
        }
      } catch (e) {
        // No half-written output: a frame that fails removes what was written.
        await handle.close();
        await rm(raw, { force: true });
        throw e;
      }
      await handle.close();
      out.raw = { path: raw, frames: frames.length, bytes };
    }
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } catch (e) {
    if (!(e instanceof DicomError)) throw e;
    const at = [
      e.location.tag,
      e.location.offset !== undefined ? `byte ${e.location.offset}` : '',
      e.location.frame !== undefined ? `frame ${e.location.frame}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.error(
      `croissant-lake: error [${e.code}]: ${file}: ${e.message}${at ? ` [at ${at}]` : ''}`,
    );
    return 1;
  }
}
