import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { insightsReportMessage, SHARE_INSIGHTS_ACTION } from '../../views/insights-report.ts';
import { noticeMessage } from '../../views/notice-message.ts';
import { escapeMrkdwn } from '../../views/slack-text.ts';
import type { Services } from '../services/index.ts';
import { periodToNow } from '../services/insights.ts';
import { chartTitle } from '../services/insights-chart.ts';
import type { Listeners } from './router.ts';
import type { Subcommand } from './subcommand.ts';

const usage = '/wone insights [account] [7d|30d|90d]';

/** `7d`, `30d` or `90d`; anything else that looks like a length is refused rather than guessed. */
const lengthArg = z.enum(['7d', '30d', '90d']).transform((value) => Number.parseInt(value, 10));

/** `/wone insights [account] [7d|30d|90d]`: the insights report, just for the person, with a button to share it. */
export const insightsSubcommand: Subcommand = {
  names: ['insights'],
  usage,
  description: 'How our posts did: one account or all, over the last 7, 30 or 90 days.',
  permission: 'view_insights',
  run: async ({ command, args, respond, services }) => {
    let days = 7;
    const words: string[] = [];
    for (const word of args.split(/\s+/).filter(Boolean)) {
      if (/^\d+d$/i.test(word)) {
        const parsed = lengthArg.safeParse(word.toLowerCase());
        if (!parsed.success) {
          await respond({ response_type: 'ephemeral', ...noticeMessage(`Use 7d, 30d or 90d: \`${usage}\``) });
          return;
        }
        days = parsed.data;
      } else words.push(word);
    }
    let accountId: string | undefined;
    if (words.length > 0) {
      const wanted = words.join(' ');
      const account = await services.insights.findAccount(wanted);
      if (!account) {
        const known =
          (await services.accounts.list()).map((a) => `\`${escapeMrkdwn(a.name)}\``).join(', ') || 'none yet';
        await respond({
          response_type: 'ephemeral',
          ...noticeMessage(
            `No connected account is called \`${escapeMrkdwn(wanted.slice(0, 80))}\`. Connected: ${known}.`,
          ),
        });
        return;
      }
      accountId = account._id;
    }
    // Reading every platform takes a while: say so at once, then replace it with the report.
    await respond({
      response_type: 'ephemeral',
      ...noticeMessage(`:hourglass_flowing_sand: Working on the report for the last ${days} days…`),
    });
    const period = periodToNow(new Date(), days, services.config.TEAM_TIMEZONE);
    try {
      const report = await services.insights.buildReport(period, accountId ? { accountId } : {});
      const id = await services.insightsPublisher.saveForSharing(report, command.user_id);
      const chart = await services.insightsPublisher.sendChartTo(command.user_id, report);
      const chartNote = `The chart, ${chartTitle(report).toLowerCase()}, is in your direct messages with Wone Social.`;
      await respond({
        response_type: 'ephemeral',
        replace_original: true,
        ...insightsReportMessage(report, { kind: 'on_demand', shareValue: id, ...(chart ? { chartNote } : {}) }),
      });
    } catch (error) {
      services.logger.error({ err: error }, 'an insights report could not be built');
      await respond({
        response_type: 'ephemeral',
        replace_original: true,
        ...noticeMessage('The report could not be built. Try again in a moment.'),
      });
    }
  },
};

const shareValue = z.string().regex(/^[a-z0-9]{6,40}$/);

/** The "Post to channel" button of an on-demand report: posts that report to the digest channel, once. */
export function registerInsightsActions(app: Listeners, services: Services): void {
  app.action<BlockButtonAction>(SHARE_INSIGHTS_ACTION, async (args) => {
    await args.ack();
    await shareReport(args, services);
  });
}

async function shareReport(
  { action, body, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>,
  services: Services,
): Promise<void> {
  const userId = body.user.id;
  const tell = (text: string) =>
    respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(text) }).catch(() => {});
  if (!(await services.roles.can(userId, 'view_insights'))) {
    await services.audit.record({ actor: userId, action: 'role_denied', subject: 'action:insights_share' });
    await tell('You are not allowed to share insights.');
    return;
  }
  const id = shareValue.safeParse(action.value);
  if (!id.success) {
    await tell('That button is not a report I know.');
    return;
  }
  const channel = services.config.DIGEST_CHANNEL_ID;
  try {
    const outcome = await services.insightsPublisher.shareSaved(id.data, userId);
    if (outcome.status === 'posted') {
      await services.audit.record({ actor: userId, action: 'share_insights', subject: `report:${id.data}` });
      await tell(`Posted to <#${channel}>.`);
    } else if (outcome.status === 'already_shared') await tell(`This report is already in <#${channel}>.`);
    else await tell('That report is no longer available; run `/wone insights` again.');
  } catch (error) {
    services.logger.error({ err: error }, 'sharing an insights report failed');
    await tell('The report could not be posted. Try again in a moment.');
  }
}
