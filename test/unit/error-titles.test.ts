/**
 * The error banner's titles (src/app/error-titles.ts). The compiler checks that every code of
 * every error class has one; this checks a few of each kind by hand, from what the codes mean
 * (src/lib/*\/errors.ts), and that an unknown code still gets the generic title.
 */
import { describe, expect, it } from 'vitest';
import { errorHint, errorTitle } from '../../src/app/error-titles.ts';

describe('errorTitle', () => {
  it('names what went wrong for remote, schema, opinion, DICOM and model errors', () => {
    const expected: [string, RegExp][] = [
      ['REMOTE_CORS', /no answer from the remote/i],
      ['REMOTE_DENIED', /refused this operation/],
      ['REMOTE_EXPIRED', /expired or is not valid/], // InvalidToken as well as ExpiredToken
      // An existing bucket with no lake under the prefix is not a missing bucket.
      ['REMOTE_NOT_FOUND', /^Nothing found on the remote$/],
      // A dataset missing on a remote (clone) is not missing "in the lake".
      ['UNKNOWN_DATASET', /^No such dataset$/],
      ['NON_FAST_FORWARD', /remote has commits/],
      // Both a header that names no column and a value of the wrong type (an append).
      ['SCHEMA_MISMATCH', /^The data does not fit the record set's columns$/],
      ['UNKNOWN_RECORD_SET', /no such record set/i],
      ['UNKNOWN_PARENT', /parent/],
      ['NOT_DICOM', /not a DICOM file/],
      ['NOT_ONNX', /not an ONNX model/],
      ['TRUNCATED_ONNX', /cut short/],
    ];
    for (const [code, title] of expected) expect(errorTitle(code), code).toMatch(title);
  });

  it('titles two statements in one text as such, not as a write', () => {
    // The two READ_ONLY refusals' messages (src/lib/query/read-only.ts, duckdb-engine.ts).
    expect(
      errorTitle('READ_ONLY', 'run one statement at a time; this text holds 2 (separated by ";")'),
    ).toBe('One statement at a time');
    expect(errorTitle('READ_ONLY', 'run one statement at a time')).toBe('One statement at a time');
    expect(errorTitle('READ_ONLY', 'DELETE is not allowed: queries are read-only')).toBe(
      'Queries are read-only',
    );
    expect(errorTitle('READ_ONLY')).toBe('Queries are read-only');
  });

  it('falls back to a generic title, and gives advice only where there is some', () => {
    expect(errorTitle('NO_SUCH_CODE')).toBe('Something went wrong');
    expect(errorHint('QUOTA_EXCEEDED')).toMatch(/Delete datasets/);
    expect(errorHint('NO_SUCH_CODE')).toBeUndefined();
    // Each protected-branch message says what to do there (commit, delete, push or pull
    // differ): a general hint repeated it, or contradicted it for a remote's branch.
    expect(errorHint('PROTECTED_BRANCH')).toBeUndefined();
  });
});
