import { z } from 'zod';
import type { Services } from '../services/index.ts';
import type { Listeners } from './router.ts';

/** A person's message in a thread (`message.channels`); edits, bot posts and other subtypes are not answers. */
const threadMessageSchema = z.object({
  type: z.literal('message'),
  channel: z.string().regex(/^C[A-Z0-9]+$/),
  user: z.string().regex(/^[UW][A-Z0-9]+$/),
  text: z.string().max(40_000),
  ts: z.string().regex(/^\d+\.\d+$/),
  thread_ts: z.string().regex(/^\d+\.\d+$/),
});

/**
 * The reply a Slack message stands for, in plain text as the platform shows it: Slack's escapes undone, links as their
 * address (after their label when they have one), channel names kept and person or group mentions left out (they
 * mean nothing on the platform).
 */
export function plainTextOfSlackMessage(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]*)\|([^>]*)>/g, (_, url: string, label: string) => linkText(url, label))
    .replace(/<((?:https?|mailto):[^>]*)>/g, (_, url: string) => url.replace(/^mailto:/, ''))
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, (_, name: string) => `#${name}`)
    .replace(/<[@!][^>]*>/g, '')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** A labelled link as plain text: the label, followed by the address unless the label already is it. */
function linkText(url: string, label: string): string {
  const address = url.replace(/^mailto:/, '');
  const bare = (text: string) => text.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return bare(address) === bare(label) ? label : `${label} (${address})`;
}

/** Answers written in an expert channel's thread under a routed comment come back to its thread as proposed replies. */
export function registerExpertAnswerHandlers(app: Listeners, services: Services): void {
  app.event('message', async ({ event }) => {
    const raw = event as { subtype?: string; bot_id?: string; thread_ts?: string; ts?: string };
    // A thread reply also sent to the channel is an answer too; edits, deletions and bot posts are not.
    if ((raw.subtype && raw.subtype !== 'thread_broadcast') || raw.bot_id || !raw.thread_ts || raw.thread_ts === raw.ts)
      return;
    const parsed = threadMessageSchema.safeParse(event);
    if (!parsed.success || !services.commentRouting.isExpertChannel(parsed.data.channel)) return;
    const message = parsed.data;
    try {
      const commentKey = await services.commentRouting.commentOfThread(message.channel, message.thread_ts);
      if (!commentKey) return;
      await services.replyDrafts.propose({
        commentKey,
        text: plainTextOfSlackMessage(message.text),
        writtenBy: message.user,
        channel: message.channel,
        ts: message.ts,
        threadTs: message.thread_ts,
      });
    } catch (error) {
      services.logger.error({ err: error, channel: message.channel }, 'expert answer not taken in');
    }
  });
}
