import { ErrorCode, WebClient } from '@slack/web-api';

/** What the last look at Slack found. */
export type SlackStatus =
  | { state: 'ok' }
  | { state: 'refused'; error: string }
  | { state: 'wrong_workspace'; teamId: string }
  | { state: 'unreachable'; problem: string };

/** Startup stops with this when Slack refuses the bot token or it belongs to another workspace. */
export class SlackTokenError extends Error {
  readonly code = 'slack_token_refused';
  constructor(message: string) {
    super(message);
    this.name = 'SlackTokenError';
  }
}

/** How long a look that found Slack well is trusted before `/readyz` looks again. */
const freshForMs = 15_000;

/**
 * Asks Slack who the bot token belongs to (`auth.test`, no retries, a 5-second limit): at startup, so a refused token
 * stops the app with a sentence that says what to fix, and for `/readyz`, which is only ready while Slack answers.
 */
export class SlackProbe {
  private readonly client: WebClient;
  private last: { at: number; status: SlackStatus } | undefined;
  private bot: { botId: string; botUserId: string } | undefined;
  private pending: Promise<SlackStatus> | undefined;

  constructor(
    token: string,
    private readonly teamId: string,
    options: { apiUrl: string; fetch: typeof fetch; timeoutMs?: number },
  ) {
    this.client = new WebClient(token, {
      slackApiUrl: options.apiUrl,
      fetch: options.fetch,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 5_000,
    });
  }

  /** Looks at Slack now (one look at a time). */
  check(): Promise<SlackStatus> {
    this.pending ??= this.look().then((status) => {
      this.last = { at: Date.now(), status };
      this.pending = undefined;
      return status;
    });
    return this.pending;
  }

  /** The last look if it found Slack well and is recent enough, else a new one (so a recovery shows at once). */
  async current(): Promise<SlackStatus> {
    if (this.last?.status.state === 'ok' && Date.now() - this.last.at < freshForMs) return this.last.status;
    return this.check();
  }

  /** The startup check: throws `SlackTokenError` when the token is refused or is another workspace's. */
  async verifyAtStartup(): Promise<SlackStatus> {
    const status = await this.check();
    if (status.state === 'refused') {
      throw new SlackTokenError(
        `Slack refused SLACK_BOT_TOKEN (${status.error}): set it to the Bot User OAuth Token (xoxb-…) from the Slack ` +
          'app settings, OAuth & Permissions, and reinstall the app to the workspace if the token was revoked.',
      );
    }
    if (status.state === 'wrong_workspace') {
      throw new SlackTokenError(
        `SLACK_BOT_TOKEN belongs to the Slack workspace ${status.teamId}, but SLACK_TEAM_ID is ${this.teamId}: ` +
          'use the token of the app installed in that workspace, or correct SLACK_TEAM_ID.',
      );
    }
    return status;
  }

  /**
   * Who the bot is (for Bolt's `authorize`): learnt from the first look that reached Slack and kept. Until Slack has
   * answered once, each event asks again, so a Slack that was down at startup is not remembered as refused forever.
   */
  async identity(): Promise<{ botId: string; botUserId: string }> {
    if (this.bot) return this.bot;
    const status = await this.check();
    if (this.bot) return this.bot;
    throw new Error(`Slack auth.test did not identify the bot (${status.state})`);
  }

  private async look(): Promise<SlackStatus> {
    try {
      const answer = await this.client.auth.test();
      if (answer.team_id && answer.team_id !== this.teamId) return { state: 'wrong_workspace', teamId: answer.team_id };
      if (answer.bot_id && answer.user_id) this.bot = { botId: answer.bot_id, botUserId: answer.user_id };
      return { state: 'ok' };
    } catch (error) {
      const coded = error as { code?: string; data?: { error?: string }; message?: string };
      if (coded.code === ErrorCode.PlatformError) return { state: 'refused', error: coded.data?.error ?? 'refused' };
      if (coded.code === ErrorCode.RateLimitedError) return { state: 'ok' };
      return { state: 'unreachable', problem: coded.message ?? String(error) };
    }
  }
}
