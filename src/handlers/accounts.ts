import type { BlockButtonAction, RespondFn } from '@slack/bolt';
import { accountsMessage } from '../../views/accounts-message.ts';
import { type AccountAction, confirmAccountAction } from '../../views/confirm-account-action.ts';
import { noticeMessage } from '../../views/notice-message.ts';
import { escapeMrkdwn } from '../../views/slack-text.ts';
import type { AccountSummary } from '../services/accounts.ts';
import type { Services } from '../services/index.ts';
import { authorizeClick } from './authorize-click.ts';
import type { Listeners } from './router.ts';
import type { Subcommand } from './subcommand.ts';

/** `/wone accounts`: every account, whether it is connected, and what it can do here, in words. */
export const accountsSubcommand: Subcommand = {
  names: ['accounts'],
  usage: '/wone accounts',
  description: 'Connected accounts and what each can do here (publish, comments, insights); Reconnect.',
  permission: 'view_accounts',
  run: async ({ respond, services }) => {
    await respond({ response_type: 'ephemeral', ...accountsMessage(await services.accounts.listAll()) });
  },
};

/** `/wone disconnect <account>`: asks for confirmation, then deletes the account's tokens. */
export const disconnectSubcommand: Subcommand = {
  names: ['disconnect'],
  usage: '/wone disconnect <account>',
  description: 'Disconnect an account: its tokens are deleted and its pending posts held.',
  permission: 'disconnect',
  run: (context) => askToConfirm('disconnect', context.args, context.services, context.respond),
};

/** `/wone delete-data <account>`: asks for confirmation, then deletes everything tied to the account. */
export const deleteDataSubcommand: Subcommand = {
  names: ['delete-data'],
  usage: '/wone delete-data <account>',
  description: 'Delete an account and all data tied to it (tokens, comments, insights).',
  permission: 'delete_data',
  run: (context) => askToConfirm('delete_data', context.args, context.services, context.respond),
};

async function askToConfirm(action: AccountAction, query: string, services: Services, respond: RespondFn) {
  const command = action === 'disconnect' ? 'disconnect' : 'delete-data';
  const account = await resolveAccount(query, services, respond, `/wone ${command}`);
  if (!account) return;
  if (action === 'disconnect' && account.status === 'disconnected') {
    await respond({
      response_type: 'ephemeral',
      ...noticeMessage(`${escapeMrkdwn(account.name)} is already disconnected.`),
    });
    return;
  }
  await respond({ response_type: 'ephemeral', ...confirmAccountAction(action, account) });
}

/** Finds the one account a person meant, or explains why not. */
async function resolveAccount(
  query: string,
  services: Services,
  respond: RespondFn,
  usage: string,
): Promise<AccountSummary | undefined> {
  if (!query) {
    await respond({
      response_type: 'ephemeral',
      ...noticeMessage(`Name the account: \`${usage} <account>\` (see \`/wone accounts\` for names and ids).`),
    });
    return undefined;
  }
  const found = await services.accounts.find(query);
  if (found.length === 1) return found[0];
  const text =
    found.length === 0
      ? `No account matches “${escapeMrkdwn(query)}”. See \`/wone accounts\`.`
      : `“${escapeMrkdwn(query)}” matches several accounts; use the id: ${found.map((a) => `\`${a._id}\``).join(', ')}.`;
  await respond({ response_type: 'ephemeral', ...noticeMessage(text) });
  return undefined;
}

/** Buttons of the account messages. Each is acknowledged at once and checked against the clicker's role. */
export function registerAccountActions(app: Listeners, services: Services): void {
  app.action<BlockButtonAction>('disconnect_account', async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!(await authorizeClick(services, user, 'disconnect', `account:${action.value}`, respond))) return;
    const result = await services.disconnect.disconnect(action.value ?? '', user);
    if (!result) {
      await respond({
        replace_original: true,
        ...noticeMessage('That account is not connected. Nothing was changed.'),
      });
      return;
    }
    const who = result.account.platform === 'tiktok' ? 'TikTok' : 'Meta';
    const revoked = {
      revoked: ` ${who} revoked its access too.`,
      failed: ` ${who} could not be reached to revoke access; the token it issued will expire on its own.`,
      not_supported:
        result.account.login === 'instagram'
          ? ' Instagram offers apps no way to withdraw their own access: to remove Wone Social at Instagram too, the account owner removes it in Instagram under Settings → Apps and websites (an unused token expires within 60 days).'
          : '',
    }[result.revoked];
    const held =
      result.held.length > 0
        ? ` ${result.held.length} pending post(s) are on hold and their requesters were told.`
        : '';
    await respond({
      replace_original: true,
      ...noticeMessage(`Disconnected *${escapeMrkdwn(result.account.name)}*: its tokens are deleted.${revoked}${held}`),
    });
  });

  app.action<BlockButtonAction>('disconnect_business', async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!(await authorizeClick(services, user, 'disconnect', `account:${action.value}`, respond))) return;
    const result = await services.disconnect.disconnectBusiness(action.value ?? '', user);
    const revoked = {
      revoked: ' TikTok revoked that access too.',
      failed: ' TikTok could not be reached to revoke it; the token it issued will expire on its own.',
      not_supported: '',
    };
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...noticeMessage(
        result
          ? `Disconnected the comments and insights of *${escapeMrkdwn(result.account.name)}*: its API for Business tokens are deleted.${revoked[result.revoked]} Publishing is not affected.`
          : 'That account has no comments and insights connection. Nothing was changed.',
      ),
    });
  });

  app.action<BlockButtonAction>('delete_account_data', async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!(await authorizeClick(services, user, 'delete_data', `account:${action.value}`, respond))) return;
    const account = await services.accounts.get(action.value ?? '');
    if (!account) {
      await respond({
        replace_original: true,
        ...noticeMessage('That account no longer exists. Nothing was changed.'),
      });
      return;
    }
    const request = await services.deletion.deleteAccount(account, user);
    const statusUrl = `${services.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/data-deletion/status?code=${request._id}`;
    await respond({
      replace_original: true,
      ...noticeMessage(
        `Deleted *${escapeMrkdwn(account.name)}* and the data tied to it (${request.deletedRecords} record(s)). ` +
          `Confirmation code \`${request._id}\`: <${statusUrl}|status page>.`,
      ),
    });
  });

  app.action<BlockButtonAction>('cancel_account_action', async ({ ack, respond }) => {
    await ack();
    await respond({ delete_original: true });
  });
}
