import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const CHECK_TOKEN_HEALTH = 'check-token-health';

/** Daily: refresh what is due, check every token, warn admins about coming expiries and dead tokens. */
export function defineCheckTokenHealth(agenda: Agenda, services: Services): void {
  agenda.define(CHECK_TOKEN_HEALTH, async () => {
    const outcomes = await services.tokenHealth.checkAll();
    const count = (result: string) => outcomes.filter((outcome) => outcome.result === result).length;
    services.logger.info(
      { checked: outcomes.length, refreshed: count('refreshed'), reconnectNeeded: count('reconnect_needed') },
      'token health checked',
    );
  });
}

/** Schedules the daily run once (Agenda keeps one job per name for `every`). */
export async function scheduleCheckTokenHealth(agenda: Agenda, timezone: string): Promise<void> {
  await agenda.every('0 6 * * *', CHECK_TOKEN_HEALTH, undefined, { timezone, skipImmediate: true });
}
