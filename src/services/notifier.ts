import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { Roles } from './roles.ts';

/** A message for a person: text (the notification) and optional blocks. */
export interface Notice {
  text: string;
  blocks?: KnownBlock[];
}

/**
 * Tells people things in Slack by direct message from the app. A failure to deliver is logged, never thrown: the
 * work that caused the notice is already done and must not be undone by Slack being unavailable.
 */
export class Notifier {
  constructor(
    private readonly slack: WebClient,
    private readonly roles: Roles,
    private readonly logger: Logger,
  ) {}

  /** Every admin (`ADMIN_USER_IDS`). */
  async tellAdmins(notice: Notice): Promise<void> {
    for (const admin of this.roles.admins) await this.tellUser(admin, notice);
  }

  async tellUser(userId: string, notice: Notice): Promise<void> {
    try {
      await this.slack.chat.postMessage({
        channel: userId,
        text: notice.text,
        ...(notice.blocks ? { blocks: notice.blocks } : {}),
      });
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'could not deliver a notice in Slack');
    }
  }
}
