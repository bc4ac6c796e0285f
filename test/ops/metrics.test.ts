import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEEKLY_DIGEST_JOB } from '../../src/jobs/weekly-digest.ts';
import { CommentNotifier } from '../../src/notify/comment-notifier.ts';
import { graphError } from '../../src/sandbox/graph-fake.ts';
import { APPROVER, COMMENTS_CHANNEL, EDITOR } from '../harness/test-app.ts';
import { draftWith, FB, IG, PAGE_ID, type PostApp, startPostApp, TT, until } from '../posts/post-harness.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp({ METRICS_TOKEN });
});
afterAll(async () => t?.stop());

/** Scrapes `/metrics` as Prometheus would, and reads one sample (0 when the series is absent). */
async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
  const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return (name, labels = {}) => {
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const found = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
      );
      if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
    }
    return 0;
  };
}

async function publishFacebookText(caption: string) {
  const id = await t.app.services.drafts.save({
    draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const pending = await t.app.services.drafts.prepare(id);
  if (pending?.state !== 'pending_approval') throw new Error(`not pending: ${pending?.state}`);
  await t.app.services.approvals.approve(id, pending.revision, APPROVER);
  return until(async () => {
    const post = await t.app.services.posts.get(id);
    return post?.state === 'published' ? post : undefined;
  }, 30_000);
}

describe('GET /metrics', () => {
  it('refuses a scrape without the bearer token, or with a wrong one', async () => {
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('wone_');
  });

  it('moves the lateness histogram, the outcome counter and the state gauge when a post is published', async () => {
    const earlier = await scrape();
    const lateCount = earlier('wone_publish_lateness_seconds_count', { platform: 'facebook' });
    const published = earlier('wone_publish_outcomes_total', { platform: 'facebook', outcome: 'published' });
    const postsPublished = earlier('wone_posts', { state: 'published' });
    const requests = earlier('wone_platform_requests_total', { platform: 'facebook', status: '200' });

    await publishFacebookText('Counted by the metrics');

    const later = await scrape();
    expect(later('wone_publish_lateness_seconds_count', { platform: 'facebook' })).toBe(lateCount + 1);
    // Published as soon as approved: due at approval, so its first platform call comes within seconds.
    const lateSum = later('wone_publish_lateness_seconds_sum', { platform: 'facebook' });
    expect(lateSum).toBeGreaterThanOrEqual(0);
    expect(lateSum).toBeLessThan(30);
    expect(later('wone_publish_lateness_seconds_bucket', { platform: 'facebook', le: '+Inf' })).toBe(lateCount + 1);
    expect(later('wone_publish_outcomes_total', { platform: 'facebook', outcome: 'published' })).toBe(published + 1);
    expect(later('wone_posts', { state: 'published' })).toBe(postsPublished + 1);
    expect(later('wone_publish_targets', { state: 'published' })).toBeGreaterThanOrEqual(1);
    expect(later('wone_platform_requests_total', { platform: 'facebook', status: '200' })).toBeGreaterThan(requests);
    // The connected accounts, and the process metrics under the same prefix.
    expect(later('wone_accounts', { platform: 'facebook', status: 'ok' })).toBe(1);
    expect(later('wone_post_due_waiting_seconds')).toBe(0);
    expect(later('wone_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts a platform telling us to slow down: the request by status, the wait, and the attempt to retry', async () => {
    const earlier = await scrape();
    const waits = earlier('wone_platform_rate_limit_waits_total', { platform: 'facebook' });
    const waited = earlier('wone_platform_rate_limit_wait_seconds_total', { platform: 'facebook' });
    const refused = earlier('wone_platform_requests_total', { platform: 'facebook', status: '400' });
    const retries = earlier('wone_publish_outcomes_total', { platform: 'facebook', outcome: 'retry' });
    t.graph.facebook.inject(
      (req) => req.method === 'POST' && req.path.endsWith(`/${PAGE_ID}/feed`),
      graphError(4, 'Application request limit reached', { status: 400 }),
      { times: 1 },
    );
    const id = await t.app.services.drafts.save({
      draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption: 'Slowed down' }),
      files: [],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const pending = await t.app.services.drafts.prepare(id);
    await t.app.services.approvals.approve(id, pending?.revision ?? 0, APPROVER);
    await until(async () => {
      const [target] = await t.app.services.targets.ofPost(id);
      return target?.state === 'queued' && target.retryAt ? target : undefined;
    });
    const later = await scrape();
    expect(later('wone_platform_rate_limit_waits_total', { platform: 'facebook' })).toBe(waits + 1);
    expect(later('wone_platform_rate_limit_wait_seconds_total', { platform: 'facebook' })).toBeGreaterThan(waited);
    expect(later('wone_platform_requests_total', { platform: 'facebook', status: '400' })).toBe(refused + 1);
    expect(later('wone_publish_outcomes_total', { platform: 'facebook', outcome: 'retry' })).toBe(retries + 1);
  });

  it('counts a refused Slack call by method and error, and the log names the method', async () => {
    const earlier = await scrape();
    const refused = { method: 'chat.postMessage', error: 'channel_not_found' };
    const count = earlier('wone_slack_api_errors_total', refused);
    await expect(t.app.services.slack.chat.postMessage({ channel: '', text: 'nowhere' })).rejects.toThrow();
    const later = await scrape();
    expect(later('wone_slack_api_errors_total', refused)).toBe(count + 1);
    expect(t.logs()).toContain('Slack chat.postMessage refused: channel_not_found');
  });

  it('counts failed job runs by job, and weekly digest runs by outcome', async () => {
    const earlier = await scrape();
    const failures = earlier('wone_job_failures_total', { job: 'metrics-check-fails' });
    const digests =
      earlier('wone_digest_runs_total', { outcome: 'success' }) +
      earlier('wone_digest_runs_total', { outcome: 'failed' });
    const { scheduler } = t.app.services;
    scheduler.define('metrics-check-fails', async () => {
      throw new Error('this job always fails');
    });
    await scheduler.now('metrics-check-fails');
    await scheduler.now(WEEKLY_DIGEST_JOB);
    await until(async () => {
      const later = await scrape();
      const ran =
        later('wone_digest_runs_total', { outcome: 'success' }) +
        later('wone_digest_runs_total', { outcome: 'failed' });
      return later('wone_job_failures_total', { job: 'metrics-check-fails' }) === failures + 1 && ran === digests + 1;
    }, 20_000);
  });

  it('observes how long a comment took from the platform to its message in Slack', async () => {
    const earlier = await scrape();
    const count = earlier('wone_comment_intake_lag_seconds_count', { platform: 'instagram' });
    const sum = earlier('wone_comment_intake_lag_seconds_sum', { platform: 'instagram' });
    const notifier = new CommentNotifier(t.app.services.slack, COMMENTS_CHANNEL);
    const thread = await notifier.postParent({ platform: 'instagram', accountName: 'wone.shop', caption: 'Rain coat' });
    await notifier.postComment(thread, {
      key: 'instagram:17890000000000001',
      platform: 'instagram',
      accountName: 'wone.shop',
      authorName: 'customer',
      text: 'Is it waterproof?',
      createdAt: new Date(Date.now() - 120_000),
      isReply: false,
      edited: false,
      removed: false,
      hidden: false,
      replies: [],
    });
    const later = await scrape();
    expect(later('wone_comment_intake_lag_seconds_count', { platform: 'instagram' })).toBe(count + 1);
    const lag = later('wone_comment_intake_lag_seconds_sum', { platform: 'instagram' }) - sum;
    expect(lag).toBeGreaterThanOrEqual(120);
    expect(lag).toBeLessThan(150);
    expect(later('wone_comment_intake_lag_seconds_bucket', { platform: 'instagram', le: '60' })).toBe(
      earlier('wone_comment_intake_lag_seconds_bucket', { platform: 'instagram', le: '60' }),
    );
  });

  it('shows days left on expiring tokens and the accounts that need reconnecting (for the alerts)', async () => {
    const { accounts } = t.app.services;
    await accounts.recordHealthCheck(TT, { at: new Date(), expiresAt: new Date(Date.now() + 3 * 24 * 3600 * 1000) });
    await accounts.markReconnectNeeded(IG, 'The login was revoked.');
    const now = await scrape();
    const daysLeft = now('wone_token_expiry_days', { account: TT, platform: 'tiktok' });
    expect(daysLeft).toBeGreaterThan(2.99);
    expect(daysLeft).toBeLessThanOrEqual(3);
    expect(now('wone_accounts', { platform: 'instagram', status: 'reconnect_needed' })).toBe(1);
    expect(now('wone_accounts', { platform: 'instagram', status: 'ok' })).toBe(0);
  });
});
