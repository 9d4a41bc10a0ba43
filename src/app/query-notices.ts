/** What the Query view says about the address it was opened with, when not all of it applies. */

/**
 * The address names a record set the revision does not have (`?query=titanic@main&rs=nosuch`):
 * which one is shown instead, and which there are.
 */
export function missingRecordSetNotice(
  asked: string,
  where: string,
  shown: string | undefined,
  names: readonly string[],
): string {
  const instead = shown ? `, so "${shown}" is shown` : '';
  const there = names.length ? `Its record sets: ${names.join(', ')}.` : 'It has no record sets.';
  return `${where} has no record set "${asked}"${instead}. ${there}`;
}
