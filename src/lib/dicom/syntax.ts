/**
 * Transfer syntaxes: what each UID means for reading the data set (byte order, VR, deflate) and
 * which codec decodes its pixel data.
 */

/** How a syntax's pixel data is decoded. */
export type PixelCodec =
  | 'native'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'j2k'
  | 'htj2k'
  | 'encapsulated-native';

/** One transfer syntax. */
export interface TransferSyntax {
  uid: string;
  name: string;
  codec: PixelCodec;
  lossy: boolean;
  bigEndian?: boolean;
  implicit?: boolean;
  deflated?: boolean;
}

const t = (
  uid: string,
  name: string,
  codec: PixelCodec,
  lossy = false,
  extra: Partial<TransferSyntax> = {},
): TransferSyntax => ({ uid, name, codec, lossy, ...extra });

/** Every transfer syntax decoded here, by UID. */
export const TRANSFER_SYNTAXES: Record<string, TransferSyntax> = Object.fromEntries(
  [
    t('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', false, { implicit: true }),
    t('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native'),
    t('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', false, {
      deflated: true,
    }),
    t('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native', false, { bigEndian: true }),
    t(
      '1.2.840.10008.1.2.1.98',
      'Encapsulated Uncompressed Explicit VR Little Endian',
      'encapsulated-native',
    ),
    t('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
    t('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline', true),
    t('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended', true),
    t('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'),
    t(
      '1.2.840.10008.1.2.4.70',
      'JPEG Lossless, First-Order Prediction (Process 14 SV1)',
      'jpeg-lossless',
    ),
    t('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls'),
    t('1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', 'jpeg-ls', true),
    t('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'j2k'),
    t('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'j2k', true),
    t('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component (Lossless Only)', 'j2k'),
    t('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component', 'j2k', true),
    t('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', 'htj2k'),
    t('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL (Lossless Only)', 'htj2k'),
    t('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'htj2k', true),
  ].map((s) => [s.uid, s]),
);

/** Syntaxes that are recognised but not decoded, for a precise refusal. */
const KNOWN_UNDECODED: Record<string, string> = {
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression (retired)',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
};

/** The transfer syntax's name, or `unknown`. */
export function syntaxName(uid: string): string {
  return TRANSFER_SYNTAXES[uid]?.name ?? KNOWN_UNDECODED[uid] ?? 'unknown';
}
