/** The vendored JPEG decoder (see jpeg12.js): typed where codecs.ts uses it. */
declare const JpegImage: new () => unknown;
export default JpegImage;
