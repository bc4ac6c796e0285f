import { DateTime } from 'luxon';

export type LocalTimeResult = { ok: true; at: Date } | { ok: false; field: 'date' | 'time'; message: string };

/**
 * Resolves a wall-clock date and time in `zone` to an instant. A time that does not exist (the hour skipped when
 * clocks go forward) is refused rather than silently moved; a time that happens twice (clocks go back) takes the first.
 */
export function resolveLocalTime(date: string, time: string, zone: string): LocalTimeResult {
  const local = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!local.isValid) return { ok: false, field: 'date', message: 'Choose a valid date and time.' };
  if (local.toFormat('yyyy-MM-dd HH:mm') !== `${date} ${time}`) {
    return {
      ok: false,
      field: 'time',
      message: `${time} does not exist on ${date} in ${zone} (the clocks go forward). Choose another time.`,
    };
  }
  // When the clocks go back the same wall-clock time happens twice; luxon gives the later, we take the first.
  const hourEarlier = local.minus({ hours: 1 });
  if (hourEarlier.toFormat('yyyy-MM-dd HH:mm') === `${date} ${time}`) return { ok: true, at: hourEarlier.toJSDate() };
  return { ok: true, at: local.toJSDate() };
}

/** The same instant as a readable time in a zone, e.g. `Sun 30 Mar 2025, 09:00 Europe/Berlin (UTC+2)`. */
export function formatInZone(at: Date, zone: string): string {
  const local = DateTime.fromJSDate(at, { zone });
  return `${local.toFormat('ccc d LLL yyyy, HH:mm')} ${zone} (UTC${local.toFormat('ZZ')})`;
}

/** Date (`yyyy-MM-dd`) and time (`HH:mm`) of an instant in a zone, for prefilling pickers. */
export function localParts(at: Date, zone: string): { date: string; time: string } {
  const local = DateTime.fromJSDate(at, { zone });
  return { date: local.toFormat('yyyy-MM-dd'), time: local.toFormat('HH:mm') };
}

/** The next full hour at least 30 minutes away, in a zone: the modal's suggested time. */
export function suggestedTime(now: Date, zone: string): { date: string; time: string } {
  const next = DateTime.fromJSDate(now, { zone }).plus({ minutes: 90 }).startOf('hour');
  return localParts(next.toJSDate(), zone);
}

/** Whether a zone name is one luxon knows (Slack sends IANA names). */
export function isKnownZone(zone: string | undefined): zone is string {
  return Boolean(zone) && DateTime.now().setZone(zone).isValid;
}
