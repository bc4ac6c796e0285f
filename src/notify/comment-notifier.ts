import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { type CommentMessageInput, commentMessage } from '../../views/comment-message.ts';
import { type CommentThreadParentInput, commentThreadParent } from '../../views/comment-thread-parent.ts';
import { commentDelivered } from '../metrics/events.ts';

export interface SlackPlace {
  channel: string;
  ts: string;
}

/** Slack side of comments: the parent message per post, one threaded message per comment, and its updates. */
export class CommentNotifier {
  constructor(
    private readonly slack: WebClient,
    private readonly channel: string,
  ) {}

  async postParent(input: CommentThreadParentInput): Promise<SlackPlace> {
    const answer = await this.slack.chat.postMessage({ channel: this.channel, ...commentThreadParent(input) });
    if (!answer.ts || !answer.channel) throw new Error('Slack did not return the parent message ts');
    return { channel: answer.channel, ts: answer.ts };
  }

  async postComment(thread: SlackPlace, input: CommentMessageInput): Promise<SlackPlace> {
    const answer = await this.slack.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.ts,
      unfurl_links: false,
      unfurl_media: false,
      ...commentMessage(input),
    });
    if (!answer.ts) throw new Error('Slack did not return the comment message ts');
    commentDelivered.report(() => ({
      platform: input.platform,
      lagSeconds: (Date.now() - input.createdAt.getTime()) / 1000,
    }));
    return { channel: thread.channel, ts: answer.ts };
  }

  async updateComment(place: SlackPlace, input: CommentMessageInput): Promise<void> {
    await this.slack.chat.update({ channel: place.channel, ts: place.ts, ...commentMessage(input) });
  }

  /** A message in another channel (an expert channel), or in a thread there. */
  async postTo(
    channel: string,
    message: { text: string; blocks?: KnownBlock[] },
    threadTs?: string,
  ): Promise<SlackPlace> {
    const answer = await this.slack.chat.postMessage({
      channel,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
      ...message,
    });
    if (!answer.ts || !answer.channel) throw new Error('Slack did not return the message ts');
    return { channel: answer.channel, ts: answer.ts };
  }

  async update(place: SlackPlace, message: { text: string; blocks?: KnownBlock[] }): Promise<void> {
    await this.slack.chat.update({ channel: place.channel, ts: place.ts, ...message });
  }

  /** A link to a message (for a comment's message, the link opens its thread). */
  async permalink(place: SlackPlace): Promise<string | undefined> {
    const answer = await this.slack.chat.getPermalink({ channel: place.channel, message_ts: place.ts });
    return answer.permalink;
  }

  /** A plain line in a post's thread, e.g. who replied and what. */
  async postThreadNote(thread: SlackPlace, text: string): Promise<void> {
    await this.slack.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.ts,
      text,
      unfurl_links: false,
      unfurl_media: false,
    });
  }
}
