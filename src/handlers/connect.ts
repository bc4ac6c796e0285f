import type { BlockAction, BlockButtonAction } from '@slack/bolt';
import { CHOOSE_ACTION_ID, CHOOSE_BLOCK_PREFIX } from '../../views/choose-accounts-message.ts';
import { connectMessage } from '../../views/connect-message.ts';
import { noticeMessage } from '../../views/notice-message.ts';
import { escapeMrkdwn } from '../../views/slack-text.ts';
import type { Services } from '../services/index.ts';
import type { LoginFlow } from '../services/oauth-states.ts';
import { authorizeClick } from './authorize-click.ts';
import type { Listeners } from './router.ts';
import type { Subcommand } from './subcommand.ts';

/** `/wone connect`: links to each platform's login, for the admin who asked. */
export const connectSubcommand: Subcommand = {
  names: ['connect'],
  usage: '/wone connect',
  description: 'Connect Facebook Pages, Instagram or TikTok accounts.',
  permission: 'connect',
  run: async ({ command, respond, services }) => {
    const links = await services.connect.links(command.user_id);
    await respond({ response_type: 'ephemeral', ...connectMessage(links, services.connect.switchedOff) });
  },
};

/** The login that reconnects an account. */
function flowFor(account: { platform: string; login: string }): LoginFlow {
  if (account.platform === 'tiktok') return 'tiktok';
  return account.login === 'instagram' ? 'instagram' : 'facebook';
}

/** Buttons of connecting: reconnect, the choice of accounts, and the link buttons (which only need acknowledging). */
export function registerConnectActions(app: Listeners, services: Services): void {
  app.action<BlockAction>(/^open_authorize_/, async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction>(CHOOSE_ACTION_ID, async ({ ack }) => {
    // Ticking a box changes nothing until "Connect" is pressed.
    await ack();
  });

  app.action<BlockButtonAction>('reconnect_account', async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!(await authorizeClick(services, user, 'connect', `account:${action.value}`, respond))) return;
    const account = await services.accounts.get(action.value ?? '');
    if (!account) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...noticeMessage('That account no longer exists.'),
      });
      return;
    }
    const flow = flowFor(account);
    if (!services.connect.flows.includes(flow)) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...noticeMessage(`${account.platform} is not configured, so it cannot be reconnected.`),
      });
      return;
    }
    const links = await services.connect.links(user, [flow]);
    await respond({ response_type: 'ephemeral', replace_original: false, ...connectMessage(links) });
  });

  app.action<BlockButtonAction>('connect_chosen_accounts', async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!(await authorizeClick(services, user, 'connect', 'connect:choose', respond))) return;
    const chosen = chosenAccountIds(body);
    const outcome = await services.connect.choose(action.value ?? '', user, chosen);
    switch (outcome.kind) {
      case 'connected':
        await respond({
          replace_original: true,
          ...noticeMessage(
            `Connected ${outcome.accounts.map((account) => `*${escapeMrkdwn(account.name)}*`).join(', ')}. ` +
              'See them with `/wone accounts`.',
          ),
        });
        return;
      case 'none_chosen':
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...noticeMessage('Tick at least one account first, or press “Connect none”.'),
        });
        return;
      case 'other_user':
        await services.audit.record({
          actor: user,
          action: 'role_denied',
          subject: 'connect:choose',
          details: { reason: 'other_user' },
        });
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...noticeMessage('Only the admin who logged in can choose these accounts. Nothing was connected.'),
        });
        return;
      case 'expired':
      case 'gone':
        await respond({
          replace_original: true,
          ...noticeMessage(
            'This choice has expired or was already made. Nothing more was connected; run `/wone connect` again.',
          ),
        });
        return;
    }
  });

  app.action<BlockButtonAction>('cancel_pending_connection', async ({ ack, body, action, respond }) => {
    await ack();
    if (!(await authorizeClick(services, body.user.id, 'connect', 'connect:cancel', respond))) return;
    const dropped = await services.connect.cancel(action.value ?? '', body.user.id);
    await respond(
      dropped
        ? { replace_original: true, ...noticeMessage('Nothing was connected; the login’s tokens were discarded.') }
        : {
            response_type: 'ephemeral',
            replace_original: false,
            ...noticeMessage('Only the admin who logged in can do that, or it was already done.'),
          },
    );
  });
}

/** The ticked accounts, read from the message's checkbox groups in the click's `state`. */
function chosenAccountIds(body: BlockAction): string[] {
  const values = (body.state?.values ?? {}) as Record<
    string,
    Record<string, { selected_options?: { value?: string }[] }>
  >;
  const chosen: string[] = [];
  for (const [blockId, actions] of Object.entries(values)) {
    if (!blockId.startsWith(CHOOSE_BLOCK_PREFIX)) continue;
    for (const option of actions[CHOOSE_ACTION_ID]?.selected_options ?? []) {
      if (typeof option.value === 'string') chosen.push(option.value);
    }
  }
  return chosen;
}
