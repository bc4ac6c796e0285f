import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { postResultsMessage, postResultsNote } from '../../views/post-results-message.ts';
import type { PostResultFacts, PostResultNoteFacts, PostResultSink } from '../services/post-results.ts';

/** Slack side of post results: one reply in the post's approval thread per checkpoint. */
export class ResultsNotifier implements PostResultSink {
  constructor(private readonly slack: WebClient) {}

  results(thread: { channel: string; ts: string }, facts: PostResultFacts): Promise<string> {
    return this.reply(thread, postResultsMessage(facts));
  }

  note(thread: { channel: string; ts: string }, facts: PostResultNoteFacts): Promise<string> {
    return this.reply(thread, postResultsNote(facts));
  }

  private async reply(thread: { channel: string; ts: string }, message: { text: string; blocks: KnownBlock[] }) {
    const answer = await this.slack.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.ts,
      unfurl_links: false,
      unfurl_media: false,
      ...message,
    });
    if (!answer.ts) throw new Error('Slack did not return the results reply ts');
    return answer.ts;
  }
}
