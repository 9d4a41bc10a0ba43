/**
 * A small `strftime` for the `format` transform on dates (UTC, as pandas Timestamps without a
 * zone print). Covers the directives Croissant documents use.
 */
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Formats `d` with Python strftime directives. */
export function strftime(d: Date, format: string): string {
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((d.getTime() - start) / 86_400_000) + 1;
  const map: Record<string, () => string> = {
    Y: () => String(d.getUTCFullYear()),
    y: () => pad(d.getUTCFullYear() % 100),
    m: () => pad(d.getUTCMonth() + 1),
    d: () => pad(d.getUTCDate()),
    H: () => pad(d.getUTCHours()),
    I: () => pad(d.getUTCHours() % 12 || 12),
    p: () => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
    M: () => pad(d.getUTCMinutes()),
    S: () => pad(d.getUTCSeconds()),
    f: () => pad(d.getUTCMilliseconds() * 1000, 6),
    j: () => pad(dayOfYear, 3),
    a: () => (DAYS[d.getUTCDay()] ?? '').slice(0, 3),
    A: () => DAYS[d.getUTCDay()] ?? '',
    b: () => (MONTHS[d.getUTCMonth()] ?? '').slice(0, 3),
    B: () => MONTHS[d.getUTCMonth()] ?? '',
    '%': () => '%',
  };
  return format.replace(/%([a-zA-Z%])/g, (all, c: string) => map[c]?.() ?? all);
}

/** `pd.Timestamp(value)` for strings and epoch milliseconds; naive times are UTC. */
export function parseDate(v: string | number | Date): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  const s = v.trim();
  const naive = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s);
  const d = new Date(naive ? s.replace(' ', 'T') + (s.length === 10 ? 'T00:00:00Z' : 'Z') : s);
  if (Number.isNaN(d.getTime())) throw new Error(`cannot parse "${s}" as a date`);
  return d;
}
