/**
 * What keeps record generation from looping or failing without saying where: a record set
 * reading its own records (through a cycle of sources or references) is refused, chains of
 * record sets are bounded, and a transform that cannot run names its field.
 */
import { CroissantError, locate } from '../errors.ts';
import type { Field, RecordSet, Source } from '../model.ts';
import { applyTransforms } from './transforms.ts';
import type { TransformContext } from './transforms.ts';

/** Record sets reading record sets, at most this deep (each level is a nested generator). */
const MAX_CHAIN = 64;

/** Refuses to generate `rs` from within its own generation (a cycle of sources). */
export function enter(rs: RecordSet, chain: readonly string[]): string[] {
  if (chain.includes(rs.uuid)) {
    const loop = [...chain.slice(chain.indexOf(rs.uuid)), rs.uuid].join(' -> ');
    throw new CroissantError(
      'CYCLE',
      `record set "${rs.uuid}" reads its own records through its sources (${loop}); records cannot be generated from a cycle`,
      { location: { recordSet: rs.uuid } },
    );
  }
  if (chain.length >= MAX_CHAIN) {
    throw new CroissantError(
      'TOO_DEEP',
      `record set "${rs.uuid}" is read through ${chain.length} other record sets; croissant-lake follows at most ${MAX_CHAIN}`,
      { location: { recordSet: rs.uuid } },
    );
  }
  return [...chain, rs.uuid];
}

/** Applies a field's transforms; a failure (an invalid regex) names the field. */
export function transformOf(
  rs: RecordSet,
  f: Field,
  cell: unknown,
  transforms: Source['transforms'],
  tctx: TransformContext,
): unknown {
  try {
    return applyTransforms(cell, transforms, tctx);
  } catch (e) {
    throw locate(e, { recordSet: rs.uuid, field: f.uuid });
  }
}
