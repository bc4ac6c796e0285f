import { randomUUID } from 'node:crypto';
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import { helpMessage } from '../../views/help-message.ts';
import { noticeMessage } from '../../views/notice-message.ts';
import type { Services } from '../services/index.ts';
import { permissions, type RoleOrNone } from '../services/roles.ts';
import { accountsSubcommand, deleteDataSubcommand, disconnectSubcommand } from './accounts.ts';
import { auditSubcommand } from './audit.ts';
import { bestTimeSubcommand } from './best-time.ts';
import { connectSubcommand } from './connect.ts';
import { scheduleSubcommand } from './drafts.ts';
import { freezeSubcommand, unfreezeSubcommand } from './freeze.ts';
import { insightsSubcommand } from './insights.ts';
import { queueSubcommand } from './queue.ts';
import type { Listeners } from './router.ts';
import type { Subcommand } from './subcommand.ts';

const help: Subcommand = {
  names: ['help'],
  usage: '/wone help',
  description: 'Show these commands.',
  permission: 'help',
  run: async () => {},
};

/** Every `/wone` subcommand, in the order help lists them. */
export const subcommands: Subcommand[] = [
  scheduleSubcommand,
  queueSubcommand,
  insightsSubcommand,
  bestTimeSubcommand,
  accountsSubcommand,
  connectSubcommand,
  disconnectSubcommand,
  deleteDataSubcommand,
  auditSubcommand,
  freezeSubcommand,
  unfreezeSubcommand,
  help,
];

/**
 * `/wone <subcommand> [args]`: acknowledges at once, then checks the user's role and runs the subcommand.
 * Bare `/wone`, `help` and unknown words answer with the list of subcommands, inside the acknowledgement itself when
 * the user's role is known without asking Slack (one round trip instead of two).
 */
export function registerWoneCommand(app: Listeners, services: Services): void {
  const helpFor = helpByRole(services);
  app.command('/wone', async (args) => {
    const help = immediateHelp(args.command, services, helpFor);
    if (help) {
      await args.ack({ response_type: 'ephemeral', ...help });
      return;
    }
    await args.ack();
    await routeWoneCommand(args, services);
  });
}

type HelpAnswer = ReturnType<typeof helpMessage>;

/** The plain help list for a role, built once per role (roles and subcommands are fixed while the app runs). */
function helpByRole(services: Services): (role: RoleOrNone) => HelpAnswer {
  const built = new Map<RoleOrNone, HelpAnswer>();
  return (role) => {
    let help = built.get(role);
    if (!help) {
      help = helpMessage(allowedTo(role, services));
      built.set(role, help);
    }
    return help;
  };
}

function allowedTo(role: RoleOrNone, services: Services): Subcommand[] {
  return subcommands.filter((candidate) => services.roles.allows(role, candidate.permission));
}

/** The help answer when the command asks for it and the role is known now; otherwise `undefined`. */
function immediateHelp(command: SlashCommand, services: Services, helpFor: (role: RoleOrNone) => HelpAnswer) {
  const [word = ''] = command.text.trim().split(/\s+/);
  const name = word.toLowerCase();
  const subcommand = subcommands.find((candidate) => candidate.names.includes(name));
  if (subcommand && subcommand !== help) return undefined;
  const role = services.roles.knownRoleOf(command.user_id);
  if (!role) return undefined;
  if (!name || subcommand) return helpFor(role);
  return helpMessage(allowedTo(role, services), `I don't know \`/wone ${word}\`.`);
}

async function routeWoneCommand(
  { command, respond, client }: AllMiddlewareArgs & SlackCommandMiddlewareArgs,
  services: Services,
): Promise<void> {
  const text = command.text.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const name = word.toLowerCase();
  const subcommand = subcommands.find((candidate) => candidate.names.includes(name));
  try {
    if (!subcommand || subcommand === help) {
      const note = name && !subcommand ? `I don't know \`/wone ${word}\`.` : undefined;
      const allowed = await allowedFor(command.user_id, services);
      await respond({ response_type: 'ephemeral', ...helpMessage(allowed, note) });
      return;
    }
    if (!(await services.roles.can(command.user_id, subcommand.permission))) {
      await services.audit.record({ actor: command.user_id, action: 'role_denied', subject: `command:${name}` });
      const needed = permissions[subcommand.permission];
      await respond({ response_type: 'ephemeral', ...noticeMessage(`Only ${needed}s can use \`/wone ${name}\`.`) });
      return;
    }
    await subcommand.run({ command, args: rest.join(' '), client, respond, services });
  } catch (error) {
    const reference = randomUUID().slice(0, 8);
    services.logger.error({ err: error, reference, subcommand: name }, '/wone failed');
    await respond({
      response_type: 'ephemeral',
      ...noticeMessage(`Something went wrong with \`/wone ${name}\`. Nothing was changed. (Reference ${reference})`),
    }).catch(() => {});
  }
}

async function allowedFor(userId: string, services: Services) {
  const allowed: Subcommand[] = [];
  for (const candidate of subcommands) {
    if (await services.roles.can(userId, candidate.permission)) allowed.push(candidate);
  }
  return allowed;
}
