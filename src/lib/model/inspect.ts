/**
 * What an ONNX file offers, before running it: its inputs and outputs (name, dims, element
 * type) and the names of its intermediate values, one of which can be exposed as an extra
 * output to serve as an embedding (onnxruntime returns graph outputs only).
 */
import onnxProto from 'onnx-proto';
import { ModelError } from './errors.ts';
import { readOnnxInputs } from './onnx.ts';

const { onnx } = onnxProto;

/** A graph input or output: dims are null where free (a named or unknown dim). */
export interface TensorInfo {
  name: string;
  dims: (number | null)[] | null;
  /** ONNX element type name: `float32`, `int64`, … (`type<N>` for one not listed). */
  type: string;
}

/** The signature of an ONNX model. */
export interface OnnxSignature {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Values computed inside the graph (node outputs that are not graph outputs), in order. */
  intermediates: string[];
  /** Opset of the default domain; null when the file imports none. */
  opset: number | null;
  producer: string;
}

const TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

/** The name of an ONNX element type. */
export const elemTypeName = (t: number): string => TYPES[t] ?? `type${t}`;

const num = (v: unknown): number =>
  typeof v === 'number'
    ? v
    : typeof (v as { toNumber?: unknown } | null)?.toNumber === 'function'
      ? (v as { toNumber(): number }).toNumber()
      : Number(v ?? 0);

function info(v: onnxProto.onnx.IValueInfoProto): TensorInfo {
  const t = v.type?.tensorType;
  const dims = t?.shape?.dim
    ? t.shape.dim.map((d) =>
        (d as { value?: string }).value === 'dimValue' ? num(d.dimValue) : null,
      )
    : null;
  return { name: v.name ?? '', dims, type: elemTypeName(t?.elemType ?? 0) };
}

function decode(bytes: Uint8Array, label: string): onnxProto.onnx.ModelProto {
  readOnnxInputs(bytes, label); // NOT_ONNX, with the file named, for what is not a model
  return onnx.ModelProto.decode(bytes);
}

/**
 * Reads the signature of ONNX bytes; `label` (a file name) names them in errors.
 * @throws ModelError NOT_ONNX
 */
export function inspectOnnx(bytes: Uint8Array, label = 'the file'): OnnxSignature {
  const model = decode(bytes, label);
  const g = model.graph!;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const outputs = (g.output ?? []).map(info);
  const outNames = new Set(outputs.map((o) => o.name));
  const intermediates: string[] = [];
  for (const node of g.node ?? []) {
    for (const o of node.output ?? []) if (o && !outNames.has(o)) intermediates.push(o);
  }
  const opset = (model.opsetImport ?? []).find((o) => !o.domain);
  return {
    inputs: (g.input ?? []).filter((v) => !inits.has(v.name)).map(info),
    outputs,
    intermediates,
    opset: opset ? num(opset.version) : null,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
  };
}

/**
 * The same model with the intermediate value `name` added as a float32 graph output, so a run
 * can return it (as an embedding). Unchanged when `name` is an output already.
 * @throws ModelError NOT_ONNX; BAD_SPEC when no node computes `name` (the known ones are listed).
 */
export function exposeOutput(bytes: Uint8Array, name: string, label = 'the file'): Uint8Array {
  const model = decode(bytes, label);
  const g = model.graph!;
  if ((g.output ?? []).some((o) => o.name === name)) return bytes;
  const known = (g.node ?? []).flatMap((n) => n.output ?? []);
  if (!known.includes(name)) {
    const some = known.slice(-20).join(', ');
    throw new ModelError(
      'BAD_SPEC',
      `${label} computes no value named "${name}"; values near its end: ${some || 'none'}`,
    );
  }
  g.output = [
    ...(g.output ?? []),
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1 } } }),
  ];
  return onnx.ModelProto.encode(model).finish();
}
