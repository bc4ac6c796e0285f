import { type Channel, channel } from 'node:diagnostics_channel';
import type { PlatformName } from '../platforms/types.ts';

/**
 * What the app reports about its own work, on Node's diagnostics channels: the code that does the work publishes a
 * fact and does not know who listens (the metrics, when `/metrics` is on). Publishing with no subscriber costs nothing.
 */

/** How a publish attempt for one target ended. */
export type PublishOutcome = 'published' | 'sent_to_inbox' | 'unconfirmed' | 'failed' | 'held' | 'retry';

export interface PublishStartedEvent {
  platform: PlatformName;
  /** Seconds from the post's due time to its first platform call (negative when early). */
  latenessSeconds: number;
}

export interface PublishOutcomeEvent {
  platform: PlatformName;
  outcome: PublishOutcome;
}

export interface PlatformRequestEvent {
  platform: PlatformName;
  /** The HTTP status, or `network_error` when no answer came. */
  status: string;
}

export interface RateLimitWaitEvent {
  platform: PlatformName;
  waitSeconds: number;
}

export interface CommentDeliveredEvent {
  platform: PlatformName;
  /** Seconds from the comment's platform timestamp to its message in Slack. */
  lagSeconds: number;
}

/** One kind of fact, on its own channel. */
export class Fact<T extends object> {
  private readonly channel: Channel;

  constructor(name: string) {
    this.channel = channel(name);
  }

  /** Publishes the fact; `make` is not even called when nobody listens. */
  report(make: () => T): void {
    if (this.channel.hasSubscribers) this.channel.publish(make());
  }

  /** Listens until the returned function is called. */
  listen(listener: (event: T) => void): () => void {
    const onMessage = (message: unknown) => listener(message as T);
    this.channel.subscribe(onMessage);
    return () => {
      this.channel.unsubscribe(onMessage);
    };
  }
}

export const publishStarted = new Fact<PublishStartedEvent>('wone:publish:started');
export const publishOutcome = new Fact<PublishOutcomeEvent>('wone:publish:outcome');
export const platformRequest = new Fact<PlatformRequestEvent>('wone:platform:request');
export const rateLimitWait = new Fact<RateLimitWaitEvent>('wone:platform:rate-limit-wait');
export const commentDelivered = new Fact<CommentDeliveredEvent>('wone:comment:delivered');

export interface SlackApiErrorEvent {
  /** The Web API method, e.g. `chat.postMessage`. */
  method: string;
  /** Slack's error code (`invalid_blocks`), `ratelimited`, `http_<status>` or `unreachable`. */
  error: string;
}

export const slackApiError = new Fact<SlackApiErrorEvent>('wone:slack:api-error');
