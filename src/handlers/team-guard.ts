import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { noticeMessage } from '../../views/notice-message.ts';

const refusal =
  'Wone Social works only inside the Wone Commerce workspace. Ask someone in that workspace to do this for you.';

/**
 * Refuses every request that does not come from the one allowed workspace: other teams, Slack Connect users from
 * other organisations, and org-wide installs. Runs before any listener, so nothing is dispatched or changed.
 */
export function teamGuard(teamId: string): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as Record<string, unknown>;
    if (teamsOf(body).every((team) => team === teamId) && !isEnterpriseInstall(body)) {
      await args.next();
      return;
    }
    args.logger.warn('refused a request from another workspace');
    if ('ack' in args && typeof args.ack === 'function') {
      const ack = args.ack as (response?: unknown) => Promise<void>;
      if ('command' in args) await ack({ response_type: 'ephemeral', ...noticeMessage(refusal) });
      else if (body.type === 'view_submission') await ack({ response_action: 'errors', errors: {} });
      else await ack();
    }
    if ('respond' in args && typeof args.respond === 'function' && !('command' in args)) {
      await args.respond({ response_type: 'ephemeral', replace_original: false, text: refusal }).catch(() => {});
    }
  };
}

/** Every workspace id the request names: the payload's team and the acting user's own team. */
function teamsOf(body: Record<string, unknown>): string[] {
  const teams: unknown[] = [body.team_id, (body.team as { id?: unknown } | undefined)?.id];
  teams.push((body.user as { team_id?: unknown } | undefined)?.team_id, body.user_team_id);
  const found = teams.filter((team): team is string => typeof team === 'string' && team !== '');
  return found.length > 0 ? found : [''];
}

function isEnterpriseInstall(body: Record<string, unknown>): boolean {
  return body.is_enterprise_install === true || body.is_enterprise_install === 'true';
}
