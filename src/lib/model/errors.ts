/**
 * Errors of the model runtime, graph building and training. Each has a stable `code` and a
 * message that says what was wrong and where (layer, input name, byte offset, step).
 */

export type ModelErrorCode =
  /** The bytes are not an ONNX model (protobuf decoding failed, or no graph in it). */
  | 'NOT_ONNX'
  /** The bytes are the start of an ONNX model cut short: a field runs past their end. */
  | 'TRUNCATED_ONNX'
  /** onnxruntime refused a model that decoded as ONNX (unsupported op, bad graph). */
  | 'LOAD_FAILED'
  /** A tensor fed to a session has the wrong shape, type or name. */
  | 'BAD_INPUT_SHAPE'
  /** A model spec or training option is invalid. */
  | 'BAD_SPEC'
  /** onnxruntime failed while running a session. */
  | 'RUN_FAILED'
  /** The loss became NaN or infinite. */
  | 'NAN_LOSS'
  /** The session or runtime was released. */
  | 'CLOSED'
  /** The training data cannot train this model (one class, no rows, an unknown column). */
  | 'BAD_DATA'
  /** No model (or checkpoint) of that id in the dataset. */
  | 'NOT_FOUND'
  /** Training was cancelled; the last checkpoint is kept. */
  | 'ABORTED';

/** An error of the model half of the lake. */
export class ModelError extends Error {
  readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ModelError';
    this.code = code;
  }

  /** Plain data, for crossing a worker boundary. */
  toJSON(): { name: string; code: string; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}
