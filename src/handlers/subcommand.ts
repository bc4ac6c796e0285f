import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Services } from '../services/index.ts';
import type { Permission } from '../services/roles.ts';

export interface SubcommandContext {
  command: SlashCommand;
  /** What followed the subcommand's name, trimmed. */
  args: string;
  client: WebClient;
  /** Answers the user through the command's `response_url` (ephemeral unless said otherwise). */
  respond: RespondFn;
  services: Services;
}

/** A `/wone <name>` subcommand. The router has already acknowledged the command and checked `permission`. */
export interface Subcommand {
  names: string[];
  usage: string;
  description: string;
  permission: Permission;
  run(context: SubcommandContext): Promise<void>;
}
