// Calendar days as the analytics module counts them: UTC, "YYYY-MM-DD".

/** The UTC day of t. */
export function utcDay(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** The UTC day `days` before (negative: after) day. */
export function addDays(day: string, days: number): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return utcDay(t);
}

/** The last 14 days up to today (UTC), both included. */
export function defaultRange(now = new Date()): { start: string; end: string } {
  const end = utcDay(now);
  return { start: addDays(end, -13), end };
}
