import { accessSync, constants, statSync } from 'node:fs';
import { DateTime } from 'luxon';
import { z } from 'zod';

/** A Slack id: `prefix` is a regular expression for its first letter, `words` says what it is, with an example. */
const slackId = (prefix: string, words: string) => z.string().regex(new RegExp(`^${prefix}[A-Z0-9]{2,}$`), words);
const channelId = slackId('[CG]', 'a Slack channel id such as C0123ABCDEF (channel details, at the bottom)');
const userIds = () => idList('[UW]', 'Slack user ids such as U0123ABCDEF, separated by commas');

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const idList = (prefix: string, words: string) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(z.array(slackId(prefix, words)));

const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32 && /^[A-Za-z0-9+/]+=*$/.test(value), {
    message: '32 random bytes in base64 (openssl rand -base64 32)',
  });

const base64KeyList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean),
  )
  .pipe(z.array(base64Key));

const url = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/** Host names that only this machine reaches: the one place plain http is allowed for the public URL. */
const loopbackHost = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** The platforms fetch media from this URL and call back to it: https, except on this machine (tests, the sandbox). */
const publicUrl = z.string().refine(
  (value) => {
    try {
      const parsed = new URL(value);
      return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopbackHost.test(parsed.hostname));
    } catch {
      return false;
    }
  },
  { message: 'an https URL such as https://wone.example.com (plain http only for localhost)' },
);

const timezone = z.string().refine((zone) => DateTime.now().setZone(zone).isValid, {
  message: 'an IANA time zone such as Europe/Berlin',
});

/** A keyword: letters, digits, spaces, apostrophes and hyphens of any language. */
const keywordPattern = /^[\p{L}\p{N}\p{M}][\p{L}\p{N}\p{M}' -]*$/u;

const keywordList = (what: string) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((word) => word.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(keywordPattern, `${what} separated by commas, e.g. refund,legal`)));

/** Which comments go to which expert channel: `refund,billing=C0BILLING;shipping,delivery=C0SHIPPING`. */
export interface CommentRoute {
  keywords: string[];
  channel: string;
}

const routesHint =
  'keywords=channel pairs separated by semicolons, e.g. refund,billing=C0BILLING;shipping,delivery=C0SHIPPING (public channel ids start with C)';

const commentRoutes = z
  .string()
  .default('')
  .transform((value, ctx): CommentRoute[] => {
    const routes: CommentRoute[] = [];
    for (const part of value
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [words, channel, ...rest] = part.split('=').map((p) => p.trim());
      const keywords = (words ?? '')
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean);
      if (
        rest.length > 0 ||
        !channel ||
        !/^C[A-Z0-9]{2,}$/.test(channel) ||
        keywords.length === 0 ||
        !keywords.every((k) => keywordPattern.test(k))
      ) {
        ctx.addIssue({ code: 'custom', message: routesHint });
        return z.NEVER;
      }
      routes.push({ keywords, channel });
    }
    return routes;
  });

/** What `COMMENT_RULES` asks: hide comments with these keywords, or carrying a link. */
export type CommentRule =
  | { action: 'hide'; match: 'links' }
  | { action: 'hide'; match: 'keywords'; keywords: string[] };

const rulesHint = 'rules separated by semicolons, each hide:links or hide:keyword1,keyword2';

const commentRules = z
  .string()
  .default('')
  .transform((value, ctx): CommentRule[] => {
    const rules: CommentRule[] = [];
    for (const part of value
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const match = /^hide\s*:\s*(.+)$/i.exec(part);
      const words = (match?.[1] ?? '')
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean);
      if (!match || words.length === 0 || !words.every((w) => keywordPattern.test(w))) {
        ctx.addIssue({ code: 'custom', message: rulesHint });
        return z.NEVER;
      }
      if (words.length === 1 && words[0]?.toLowerCase() === 'links') rules.push({ action: 'hide', match: 'links' });
      else rules.push({ action: 'hide', match: 'keywords', keywords: words });
    }
    return rules;
  });

/** One approval step: `any` is done with one approval, `all` when every named person has approved. */
export interface ApprovalStepConfig {
  name: string;
  rule: 'any' | 'all';
  /** Slack user ids (U…, W…). */
  users: string[];
  /** Slack user group ids (S…), only in `any` steps. */
  groups: string[];
}

const stepsFormat = 'steps written Name=any|all:ids;Name=any|all:ids (e.g. Brand=any:U0AAA,S0GROUP;Legal=all:U0CCC)';

/** `APPROVAL_STEPS`: ordered steps; each problem names the step by its number, never echoes the value. */
const approvalSteps = z
  .string()
  .optional()
  .transform((value, context): ApprovalStepConfig[] | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    const steps: ApprovalStepConfig[] = [];
    const fail = (message: string) => {
      context.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    const parts = value.split(';').map((part) => part.trim());
    for (const [index, part] of parts.entries()) {
      const number = index + 1;
      const match = /^([^=:;,]+)=([a-z]+):(.*)$/.exec(part);
      if (!match) return fail(`${stepsFormat}; step ${number} does not fit`);
      const [, rawName = '', rule = '', rawIds = ''] = match;
      const name = rawName.trim();
      if (rule !== 'any' && rule !== 'all') return fail(`any or all as the rule of step ${number}`);
      if (name.length > 40) return fail(`a step name of at most 40 characters (step ${number})`);
      if (steps.some((step) => step.name.toLowerCase() === name.toLowerCase())) {
        return fail(`a different name for each step (step ${number} repeats one)`);
      }
      const ids = rawIds
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.length === 0) return fail(`at least one approver in step ${number}`);
      const users = ids.filter((id) => /^[UW][A-Z0-9]{2,}$/.test(id));
      const groups = ids.filter((id) => /^S[A-Z0-9]{2,}$/.test(id));
      if (users.length + groups.length !== ids.length) {
        return fail(`Slack user ids (U…, W…) or user group ids (S…) as the approvers of step ${number}`);
      }
      if (rule === 'all' && groups.length > 0) {
        return fail(`only user ids in step ${number}: an all step names each person, user groups go in any steps`);
      }
      steps.push({ name, rule, users: [...new Set(users)], groups: [...new Set(groups)] });
    }
    return steps;
  });

/** Every setting the operator can give, read from the environment (and `.env`). */
export const configSchema = z.object({
  PORT: z.coerce
    .number({ error: 'a port number from 0 to 65535' })
    .int('a port number from 0 to 65535')
    .min(0, 'a port number from 0 to 65535')
    .max(65535, 'a port number from 0 to 65535')
    .default(3000),
  SLACK_SIGNING_SECRET: z.string().min(8, 'the signing secret from the Slack app settings'),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'a bot token starting with xoxb-'),
  SLACK_APP_TOKEN: optional(z.string().regex(/^xapp-/, 'an app-level token starting with xapp-')),
  SLACK_API_URL: url.default('https://slack.com/api/'),
  SLACK_TEAM_ID: slackId('T', 'a Slack workspace id such as T0123ABCDEF'),
  MONGODB_URL: optional(z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URL')),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_BASE_URL: publicUrl,
  TOKEN_ENCRYPTION_KEY: base64Key,
  /** Keys tokens may still be sealed under while `npm run rotate-token-key` re-seals them (comma-separated). */
  TOKEN_ENCRYPTION_KEY_PREVIOUS: base64KeyList,
  META_APP_ID: optional(z.string().regex(/^\d+$/, 'the numeric Meta app id')),
  META_APP_SECRET: optional(z.string().min(8, 'the Meta app secret')),
  META_GRAPH_URL: url.default('https://graph.facebook.com'),
  /** Where the Facebook Login dialog is (`/<version>/dialog/oauth` on it); the sandbox points it at its simulator. */
  META_LOGIN_URL: url.default('https://www.facebook.com'),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.0$/, 'a Graph API version such as v25.0')
    .default('v25.0'),
  META_WEBHOOK_VERIFY_TOKEN: optional(z.string().min(8, 'a random string of at least 8 characters')),
  /** Facebook Login for Business: the configuration whose permissions the login dialog asks for (`config_id`). */
  META_LOGIN_CONFIG_ID: optional(
    z.string().regex(/^\d+$/, 'the numeric configuration id from Facebook Login for Business'),
  ),
  /** Instagram API with Instagram Login has its own app id and secret ("API setup with Instagram login"). */
  INSTAGRAM_APP_ID: optional(z.string().regex(/^\d+$/, 'the numeric Instagram app id')),
  INSTAGRAM_APP_SECRET: optional(z.string().min(8, 'the Instagram app secret')),
  INSTAGRAM_GRAPH_URL: url.default('https://graph.instagram.com'),
  /** Instagram Login's code exchange host. */
  INSTAGRAM_API_URL: url.default('https://api.instagram.com'),
  /** Where Instagram's authorize page is (`/oauth/authorize` on it). */
  INSTAGRAM_LOGIN_URL: url.default('https://www.instagram.com'),
  TIKTOK_CLIENT_KEY: optional(z.string().min(4, 'the TikTok client key')),
  TIKTOK_CLIENT_SECRET: optional(z.string().min(8, 'the TikTok client secret')),
  TIKTOK_API_URL: url.default('https://open.tiktokapis.com'),
  TIKTOK_BUSINESS_API_URL: url.default('https://business-api.tiktok.com'),
  /** Where TikTok's authorization page is (`/v2/auth/authorize/` on it), for both TikTok apps. */
  TIKTOK_LOGIN_URL: url.default('https://www.tiktok.com'),
  /**
   * Media links are never fetched from loopback, private, link-local or other special addresses, except from these
   * exact `host:port` pairs (comma-separated): an internal media server, or a test host. Empty by default.
   */
  MEDIA_FETCH_ALLOW: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?):([1-9]\d{0,4})$/,
            'exact host:port pairs such as media.internal:8443 (no ranges, no wildcards, no host without a port)',
          ),
      ),
    ),
  /** The API for Business app (comments and insights): a separate app from the Login Kit one, optional. */
  TIKTOK_BUSINESS_APP_ID: optional(z.string().min(4, 'the TikTok API for Business app id')),
  TIKTOK_BUSINESS_APP_SECRET: optional(z.string().min(8, 'the TikTok API for Business app secret')),
  APPROVAL_CHANNEL_ID: channelId,
  COMMENTS_CHANNEL_ID: channelId,
  DIGEST_CHANNEL_ID: channelId,
  ADMIN_USER_IDS: userIds(),
  APPROVER_USER_IDS: userIds(),
  APPROVER_USERGROUP_ID: optional(slackId('S', 'a Slack user group id such as S0123ABCDEF')),
  /** Ordered approval steps; unset: one step whose approvers are the admins, approvers and approver group. */
  APPROVAL_STEPS: approvalSteps,
  /** A post must be fully approved this long before its time, or it expires; 0 turns deadlines off. */
  APPROVAL_DEADLINE_MINUTES: z.coerce
    .number({ error: 'a whole number of minutes' })
    .int('a whole number of minutes')
    .min(0, 'zero (no deadline) or more minutes')
    .max(7 * 24 * 60, 'at most a week, in minutes')
    .default(15),
  /** When set, only these people (besides admins and approvers) are editors; empty: every workspace member is. */
  EDITOR_USER_IDS: userIds(),
  TEAM_TIMEZONE: timezone.default('UTC'),
  DIGEST_CRON: z
    .string()
    .trim()
    .regex(/^(\S+\s+){4}\S+$/, 'a five-field cron expression such as 0 9 * * 1 (minute hour day month weekday)')
    .default('0 9 * * 1'),
  COMMENT_POLL_MINUTES: z.coerce
    .number()
    .int()
    .min(1, 'whole minutes between 1 and 60')
    .max(60, 'whole minutes between 1 and 60')
    .default(5),
  /** How often due results checkpoints (24 hours and 7 days after publishing) are looked for. */
  RESULTS_CHECK_MINUTES: z.coerce
    .number({ error: 'whole minutes between 1 and 60' })
    .int('whole minutes between 1 and 60')
    .min(1, 'whole minutes between 1 and 60')
    .max(60, 'whole minutes between 1 and 60')
    .default(5),
  COMMENT_LOOKBACK_DAYS: z.coerce
    .number()
    .int()
    .min(1, 'whole days between 1 and 90')
    .max(90, 'whole days between 1 and 90')
    .default(14),
  COMMENT_ROLE: z.enum(['editor', 'approver', 'admin'], 'editor, approver or admin').default('editor'),
  /** Keywords that also send a comment to an expert channel, whose thread answers come back as proposed replies. */
  COMMENT_ROUTES: commentRoutes,
  /** Which replies wait for an approver before they are posted. */
  REPLY_APPROVAL: z.enum(['off', 'all', 'flagged'], 'off, all or flagged').default('off'),
  /** With `REPLY_APPROVAL=flagged`: replies to comments with these words wait for approval. */
  REPLY_APPROVAL_KEYWORDS: keywordList('keywords'),
  /** With `REPLY_APPROVAL=flagged`: replies on these accounts' posts (account name or `<platform>:<id>`) wait. */
  REPLY_APPROVAL_ACCOUNTS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  /** Comments hidden automatically: `hide:links;hide:keyword1,keyword2`. */
  COMMENT_RULES: commentRules,
  PUBLISH_GRACE_MINUTES: z.coerce
    .number({ error: 'a whole number of minutes' })
    .int('a whole number of minutes')
    .min(0, 'zero or more minutes')
    .max(7 * 24 * 60, 'at most a week, in minutes')
    .default(60),
  JOB_POLL_SECONDS: z.coerce
    .number({ error: 'a number of seconds' })
    .min(0.1, 'between 0.1 and 60 seconds')
    .max(60, 'between 0.1 and 60 seconds')
    .default(1),
  PUBLISH_CONCURRENCY: z.coerce
    .number({ error: 'a whole number' })
    .int('a whole number')
    .min(1, 'between 1 and 500')
    .max(500, 'between 1 and 500')
    .default(50),
  PUBLISH_LEASE_SECONDS: z.coerce
    .number({ error: 'a whole number of seconds' })
    .int('a whole number of seconds')
    .min(2, 'between 2 and 3600 seconds')
    .max(3600, 'between 2 and 3600 seconds')
    .default(600),
  PUBLISH_LEAD_SECONDS: z.coerce
    .number({ error: 'a whole number of seconds' })
    .int('a whole number of seconds')
    .min(0, 'between 0 and 300 seconds')
    .max(300, 'between 0 and 300 seconds')
    .default(60),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], 'debug, info, warn or error').default('info'),
  /** Bearer token that `GET /metrics` asks for; unset: there is no `/metrics`. */
  METRICS_TOKEN: optional(z.string().min(16, 'a random string of at least 16 characters (openssl rand -hex 32)')),
  /** The privacy policy served at `/privacy` (its text names the company and the contact); unset: the shipped one. */
  PRIVACY_POLICY_FILE: optional(
    z
      .string()
      .refine(isReadableFile, 'the path of a readable text file holding the privacy policy (UTF-8, plain text)'),
  ),
});

export type RawConfig = z.infer<typeof configSchema>;

/** The settings the app runs with: the raw values plus which platforms are switched on. */
export interface Config extends RawConfig {
  /** `instagramLogin`: Instagram API with Instagram Login (needs Meta and the Instagram app id and secret). */
  platforms: { meta: boolean; instagramLogin: boolean; tiktok: boolean };
}

/** The time a prepared post's start may take beyond the lead before it renews its lease (seconds). */
const minimumStartSeconds = 1;

/** Startup stops with this when settings are missing or invalid; `problems` lists each one. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(
      `Wone Social cannot start: ${problems.length} configuration problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the whole configuration at once. Never echoes a value back: problems name the variable and what it
 * should look like, so a secret pasted into the wrong variable is not printed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'config');
      const present = env[name] !== undefined && env[name] !== '';
      const expected = issue.message.startsWith('Invalid input') ? (hints[name] ?? 'a value') : issue.message;
      problems.push(`${name} is ${present ? 'invalid' : 'missing'}: expected ${expected}`);
    }
  }
  const value = parsed.data;
  // Pairs are checked on what was given, so they are reported together with every other problem.
  const given = (name: string) => env[name] !== undefined && env[name] !== '';
  const metaParts = ['META_APP_ID', 'META_APP_SECRET'].filter(given).length;
  if (metaParts === 1)
    problems.push('META_APP_ID and META_APP_SECRET go together: set both, or neither to switch Meta off');
  const instagramParts = ['INSTAGRAM_APP_ID', 'INSTAGRAM_APP_SECRET'].filter(given).length;
  if (instagramParts === 1) {
    problems.push(
      'INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET go together: set both, or neither to switch Instagram Login off',
    );
  }
  if (instagramParts === 2 && metaParts === 0) {
    problems.push('INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET need META_APP_ID and META_APP_SECRET as well');
  }
  const tiktokParts = ['TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET'].filter(given).length;
  if (tiktokParts === 1) {
    problems.push('TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET go together: set both, or neither to switch TikTok off');
  }
  if (
    env.REPLY_APPROVAL?.trim() === 'flagged' &&
    !given('REPLY_APPROVAL_KEYWORDS') &&
    !given('REPLY_APPROVAL_ACCOUNTS')
  ) {
    problems.push(
      'REPLY_APPROVAL is flagged but nothing is flagged: set REPLY_APPROVAL_KEYWORDS or REPLY_APPROVAL_ACCOUNTS, or use all or off',
    );
  }
  const businessParts = ['TIKTOK_BUSINESS_APP_ID', 'TIKTOK_BUSINESS_APP_SECRET'].filter(given).length;
  if (businessParts === 1) {
    problems.push(
      'TIKTOK_BUSINESS_APP_ID and TIKTOK_BUSINESS_APP_SECRET go together: set both, or neither to leave TikTok comments and insights off',
    );
  }
  if (value && value.PUBLISH_LEASE_SECONDS <= value.PUBLISH_LEAD_SECONDS + minimumStartSeconds) {
    // A post is claimed when it is prepared, up to the lead before its time, and its lease is renewed only once it
    // starts: a lease this short would lapse while the post waits, and another instance could take it over.
    problems.push(
      `PUBLISH_LEASE_SECONDS must be more than PUBLISH_LEAD_SECONDS plus ${minimumStartSeconds} seconds, so a prepared post is still held when it starts`,
    );
  }
  if (problems.length > 0 || !value) throw new ConfigError(problems);
  return {
    ...value,
    platforms: {
      meta: Boolean(value.META_APP_ID && value.META_APP_SECRET),
      instagramLogin: Boolean(
        value.META_APP_ID && value.META_APP_SECRET && value.INSTAGRAM_APP_ID && value.INSTAGRAM_APP_SECRET,
      ),
      tiktok: Boolean(value.TIKTOK_CLIENT_KEY && value.TIKTOK_CLIENT_SECRET),
    },
  };
}

/**
 * What the operator should hear at startup although the app can run: settings that leave it unable to do its work.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (!config.platforms.meta && !config.platforms.tiktok) {
    warnings.push(
      'No platform is configured (META_APP_ID and META_APP_SECRET, or TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET): ' +
        'no account can be connected and nothing can be published.',
    );
  }
  if (config.ADMIN_USER_IDS.length === 0) {
    warnings.push('ADMIN_USER_IDS is empty: nobody is an admin, so nobody can connect an account.');
  }
  return warnings;
}

function isReadableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** What a required value looks like, for the message when it is missing altogether. */
const hints: Record<string, string> = {
  SLACK_SIGNING_SECRET: 'the signing secret from the Slack app settings',
  SLACK_BOT_TOKEN: 'a bot token starting with xoxb-',
  SLACK_TEAM_ID: 'the Slack workspace id, starting with T',
  PUBLIC_BASE_URL: 'the https URL where this app is reachable, e.g. https://wone.example.com',
  TOKEN_ENCRYPTION_KEY: '32 random bytes in base64 (openssl rand -base64 32)',
  APPROVAL_CHANNEL_ID: 'the id of the channel where drafts are approved, starting with C or G',
  COMMENTS_CHANNEL_ID: 'the id of the channel that receives comments, starting with C or G',
  DIGEST_CHANNEL_ID: 'the id of the channel that receives the weekly digest, starting with C or G',
};
