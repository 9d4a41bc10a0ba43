/**
 * ISO 8601 dates as dateutil's `isoparse` (used by the reference) accepts them: the date part
 * is read greedily (no backtracking), then one separator character of any kind, then a time.
 */

const TIME = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Reads the date part; returns its length, or -1 when it is malformed. */
function parseDate(s: string): number {
  const year = /^\d{4}/.exec(s);
  if (!year) return -1;
  let pos = 4;
  if (pos >= s.length) return pos;
  const sep = s[pos] === '-';
  if (sep) pos++;
  if (s[pos] === 'W') {
    const week = /^W(\d{2})/.exec(s.slice(pos));
    if (!week || Number(week[1]) < 1 || Number(week[1]) > 53) return -1;
    pos += 3;
    const day = (sep ? /^-([1-7])/ : /^([1-7])/).exec(s.slice(pos));
    return day ? pos + day[0].length : pos;
  }
  const month = /^\d{2}/.exec(s.slice(pos));
  if (!month) return -1;
  const m = Number(month[0]);
  if (m < 1 || m > 12) return -1;
  pos += 2;
  if (pos >= s.length) return sep ? pos : -1;
  if (sep) {
    if (s[pos] !== '-') return pos;
    pos++;
  }
  const day = /^\d{2}/.exec(s.slice(pos));
  if (!day) return -1;
  const d = Number(day[0]);
  const days = new Date(Date.UTC(Number(year[0]), m, 0)).getUTCDate();
  return d >= 1 && d <= days ? pos + 2 : -1;
}

/** True for the ISO 8601 forms dateutil's `isoparse` accepts. */
export function isIsoDate(s: string): boolean {
  const end = parseDate(s);
  if (end < 0) return false;
  if (end === s.length) return true;
  const t = TIME.exec(s.slice(end + 1));
  if (!t) return false;
  const h = Number(t[1]);
  const min = Number(t[2] ?? 0);
  const sec = Number(t[3] ?? 0);
  if (h === 24) return min === 0 && sec === 0;
  return h < 24 && min < 60 && sec < 60;
}
