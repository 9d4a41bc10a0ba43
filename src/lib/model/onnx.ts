/**
 * A small builder for ONNX graphs, encoded with the `onnx-proto` package (the ONNX protobuf
 * schema compiled for protobufjs). Value names are unique per builder; constants and weights are
 * initialisers stored as raw little-endian bytes.
 *
 * Opset 17 and IR version 8: the newest that Debian's `python3-onnx` (1.12) checks, and all
 * onnxruntime-web 1.30 kernels used here exist at that opset.
 */
import onnxProto from 'onnx-proto';
import { ModelError } from './errors.ts';
import { findTruncation } from './onnx-truncated.ts';

const { onnx } = onnxProto;

/** The ONNX operator set the graphs use. */
export const OPSET = 17;
/** ONNX IR version written into every model. */
export const IR_VERSION = 8;

const FLOAT = 1;
const INT64 = 7;

/** An attribute value: numbers are ints unless wrapped by {@link f}. */
export type Attr = number | number[] | string | { float: number } | { floats: number[] };
/** Marks a float attribute. */
export const f = (v: number): { float: number } => ({ float: v });

/** A graph input or output: its name and dims (a string names a free dim, e.g. the batch). */
export interface ValueInfo {
  name: string;
  dims: readonly (number | string)[];
}

function attribute(name: string, v: Attr): onnxProto.onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if ('float' in v) return { name, type: A.FLOAT, f: v.float };
  return { name, type: A.FLOATS, floats: v.floats };
}

function valueInfo(v: ValueInfo, elemType = FLOAT): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  };
}

/** Builds one ONNX graph, node by node, in topological order. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly inits: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A fresh value name starting with `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Declares a float32 graph input. */
  input(name: string, dims: readonly (number | string)[]): string {
    if (this.used.has(name)) throw new ModelError('BAD_SPEC', `duplicate graph value "${name}"`);
    this.used.add(name);
    this.inputs.push({ name, dims: [...dims] });
    return name;
  }

  /** Declares an existing value as a float32 graph output. */
  output(name: string, dims: readonly (number | string)[]): void {
    this.outputs.push({ name, dims: [...dims] });
  }

  /** A float32 initialiser (a weight, or a constant). */
  floats(hint: string, values: ArrayLike<number>, dims: readonly number[]): string {
    const name = this.fresh(hint);
    const data = Float32Array.from(values);
    this.inits.push({
      name,
      dataType: FLOAT,
      dims: [...dims],
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(v: number): string {
    return this.floats('c', [v], []);
  }

  /** An int64 1-D constant (axes, shapes, slice bounds). */
  ints(values: readonly number[]): string {
    const name = this.fresh('i');
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.inits.push({
      name,
      dataType: INT64,
      dims: [values.length],
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /**
   * Adds a node; returns the names of its outputs. `out` names the first output explicitly
   * (graph outputs are named at their producing node: an Identity in between makes
   * onnxruntime's WebGPU provider copy them to the CPU).
   */
  nodeN(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, Attr> = {},
    nOut = 1,
    out?: string,
  ): string[] {
    const outputs = Array.from({ length: nOut }, (_, i) =>
      i === 0 && out !== undefined ? this.named(out) : this.fresh(op.toLowerCase()),
    );
    this.nodes.push({
      opType: op,
      input: [...inputs],
      output: outputs,
      name: `n${this.nodes.length}_${op}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** {@link nodeN} with one output. */
  node(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, out?: string) {
    return this.nodeN(op, inputs, attrs, 1, out)[0]!;
  }

  private named(name: string): string {
    if (this.used.has(name)) throw new ModelError('BAD_SPEC', `duplicate graph value "${name}"`);
    this.used.add(name);
    return name;
  }

  /** Names of the declared inputs and outputs, in order. */
  signature(): { inputs: ValueInfo[]; outputs: ValueInfo[] } {
    return {
      inputs: this.inputs.map((v) => ({ ...v })),
      outputs: this.outputs.map((v) => ({ ...v })),
    };
  }

  /** Encodes the model as ONNX protobuf bytes. */
  encode(graphName: string, docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'croissant-lake',
      producerVersion: '1',
      docString,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs.map((v) => valueInfo(v)),
        output: this.outputs.map((v) => valueInfo(v)),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** protobufjs gives int64 as a number, or as a Long when the `long` package is around. */
function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v ?? 0);
}

/** TRUNCATED_ONNX when `bytes` look like the start of an ONNX model cut short. */
function throwIfTruncated(bytes: Uint8Array, what: string, cause?: unknown): void {
  const cut = findTruncation(bytes);
  if (!cut) return;
  const needs = cut.needs === null ? '' : `, needing ${cut.needs} bytes from there`;
  throw new ModelError(
    'TRUNCATED_ONNX',
    `${what} looks cut off: it starts as an ONNX model, but its ${cut.field} field at byte offset ${cut.offset} runs past the end of the file (${bytes.byteLength} bytes${needs}); download or export the model again`,
    { cause },
  );
}

/** A graph input of a decoded model: dims are null where free (a dim_param or unknown). */
export interface OnnxInput {
  name: string;
  dims: (number | null)[] | null;
  /** ONNX element type (1 = float32). */
  elemType: number;
}

/**
 * Decodes `bytes` as an ONNX model with a graph, before onnxruntime sees them (its own error
 * for random bytes names no offset), and returns its real inputs (initialisers excluded).
 * @throws ModelError NOT_ONNX; TRUNCATED_ONNX for the start of a model cut short
 */
export function readOnnxInputs(bytes: Uint8Array, what = 'the file'): OnnxInput[] {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throwIfTruncated(bytes, what, e);
    const why = e instanceof Error ? e.message : String(e);
    throw new ModelError(
      'NOT_ONNX',
      `${what} is not an ONNX model (${bytes.byteLength} bytes; protobuf decoding failed: ${why})`,
      { cause: e },
    );
  }
  const missing = !model.graph
    ? 'graph'
    : toNum(model.irVersion) <= 0
      ? 'IR version'
      : model.opsetImport.length === 0
        ? 'opset import'
        : '';
  if (missing || !model.graph) {
    // protobufjs reads a string cut short without complaint: the model then lacks its graph.
    throwIfTruncated(bytes, what);
    throw new ModelError(
      'NOT_ONNX',
      `${what} is not an ONNX model (${bytes.byteLength} bytes): it decodes as protobuf but has no ${missing}`,
    );
  }
  const inits = new Set((model.graph.initializer ?? []).map((t) => t.name));
  return (model.graph.input ?? [])
    .filter((v) => !inits.has(v.name))
    .map((v) => {
      const t = v.type?.tensorType;
      const dims = t?.shape?.dim
        ? t.shape.dim.map((d) =>
            (d as { value?: string }).value === 'dimValue' ? toNum(d.dimValue) : null,
          )
        : null;
      return { name: v.name ?? '', dims, elemType: t?.elemType ?? 0 };
    });
}
