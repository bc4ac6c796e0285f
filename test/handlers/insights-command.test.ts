import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import { SHARE_INSIGHTS_ACTION } from '../../views/insights-report.ts';
import { DIGEST_CHANNEL, EDITOR, startTestApp, TEAM_ID, type TestApp, woneCommand } from '../harness/test-app.ts';
import {
  connectTikTok,
  daysOf,
  during,
  insertTarget,
  tiktokEnvironment,
  weeks,
} from '../insights/insights-fixtures.ts';

let tiktok: TikTokFake;
let t: TestApp;

beforeAll(async () => {
  tiktok = new TikTokFake();
  await tiktok.start();
  t = await startTestApp(tiktokEnvironment(tiktok));
  const { current } = weeks();
  tiktok.seedAccount({
    openId: 'tt-cmd',
    followers: 321,
    dailyMetrics: daysOf(current).map((date) => ({
      date,
      video_views: 100,
      profile_views: 1,
      likes: 2,
      comments: 0,
      shares: 0,
    })),
  });
  const accountId = await connectTikTok(t.app.services, tiktok, 'tt-cmd', '@wonecommerce');
  tiktok.seedVideo('tt-cmd', '7300000000000000041', { video_views: 640, likes: 12 });
  await insertTarget(t.app.services.db, {
    accountId,
    platform: 'tiktok',
    caption: 'Black Friday teaser',
    remoteId: '7300000000000000041',
    permalink: 'https://www.tiktok.com/@wonecommerce/video/7300000000000000041',
    publishedAt: during(current, 4),
  });
  tiktok.seedVideo('tt-cmd', '7300000000000000042', { video_views: 50, likes: 3 });
  await insertTarget(t.app.services.db, {
    accountId,
    platform: 'tiktok',
    caption: 'Posted this morning',
    remoteId: '7300000000000000042',
    publishedAt: new Date(Date.now() - 60_000),
  });
});
afterAll(async () => {
  await t?.stop();
  await tiktok?.stop();
});

async function run(text: string) {
  const fields = woneCommand(t.slack, EDITOR, text);
  expect((await t.signer.command(fields)).status).toBe(200);
  return t.slack.waitFor(() => t.slack.responses.find((r) => fields.response_url?.endsWith(`/${r.id}`)));
}

/** A report: first the "working on it" notice, then the report replacing it. */
async function runReport(text: string) {
  const fields = woneCommand(t.slack, EDITOR, text);
  expect((await t.signer.command(fields)).status).toBe(200);
  const mine = () => t.slack.responses.filter((r) => fields.response_url?.endsWith(`/${r.id}`));
  const report = await t.slack.waitFor(() => mine().find((r) => r.body.replace_original === true));
  return { working: mine()[0], report };
}

function shareClick(value: string, user = EDITOR) {
  return t.signer.interaction({
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: user, username: 'eddie', name: 'eddie', team_id: TEAM_ID },
    api_app_id: 'A0WONE',
    token: 'x',
    trigger_id: '1.2.3',
    response_url: t.slack.responseUrl(),
    container: { type: 'message', message_ts: '1.1', channel_id: 'C0GENERAL', is_ephemeral: true },
    actions: [
      {
        action_id: SHARE_INSIGHTS_ACTION,
        block_id: 'b',
        type: 'button',
        value,
        text: { type: 'plain_text', text: 'Post to channel' },
        action_ts: '1.2',
      },
    ],
  });
}

describe('/wone insights', () => {
  it('shows one account over 30 days, just to the person, with a button that posts it to the channel once', async () => {
    const uploadsBefore = t.slack.uploads.length;
    const { working, report: answer } = await runReport('insights @wonecommerce 30d');
    expect(String(working?.body.text)).toContain('Working on the report for the last 30 days');
    expect(answer.body.response_type).toBe('ephemeral');
    const text = JSON.stringify(answer.body.blocks);
    expect(text).toContain('*@wonecommerce* · TikTok');
    expect(text).toContain('Followers 321');
    expect(text).toContain('Black Friday teaser');
    expect(text).toContain('640 views');
    // Today's post counts: the period runs to now.
    expect(text).toContain('Posted this morning');
    expect(text).toContain('up to now');
    // Likes beside views, in words.
    expect(text).toContain('12 likes');
    // The chart goes to the person's direct messages, and the report says so.
    expect(text).toContain('The chart, views per day, is in your direct messages');
    const chart = await t.slack.waitFor(() =>
      t.slack.uploads.slice(uploadsBefore).find((u) => u.channel_id === EDITOR),
    );
    expect(chart.filename).toBe('insights-per-day.png');
    const blocks = answer.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    const button = blocks.find((b) => b.type === 'actions')?.elements?.[0];
    expect(button?.action_id).toBe(SHARE_INSIGHTS_ACTION);

    const before = t.slack.messages.filter((m) => m.channel === DIGEST_CHANNEL).length;
    const responsesBefore = t.slack.responses.length;
    expect((await shareClick(button?.value ?? '')).status).toBe(200);
    const posted = await t.slack.waitFor(() =>
      t.slack.messages.filter((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts).at(before),
    );
    expect(JSON.stringify(posted.blocks)).toContain('Black Friday teaser');
    // The shared copy has no button; the chart follows in its thread.
    expect(JSON.stringify(posted.blocks)).not.toContain(SHARE_INSIGHTS_ACTION);
    await t.slack.waitFor(() => t.slack.uploads.find((u) => u.thread_ts === posted.ts && u.channel_id));
    await t.slack.waitFor(() =>
      t.slack.responses.slice(responsesBefore).find((r) => String(r.body.text).startsWith('Posted to')),
    );

    // A second click says so and posts nothing.
    expect((await shareClick(button?.value ?? '')).status).toBe(200);
    await t.slack.waitFor(() =>
      t.slack.responses.slice(responsesBefore).find((r) => String(r.body.text).includes('already in')),
    );
    expect(t.slack.messages.filter((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts)).toHaveLength(before + 1);
  });

  it('refuses a length it does not offer and names the connected accounts for an unknown one', async () => {
    expect(String((await run('insights 14d')).body.text)).toContain('Use 7d, 30d or 90d');
    const unknown = String((await run('insights @nobody')).body.text);
    expect(unknown).toContain('No connected account is called `@nobody`');
    expect(unknown).toContain('`@wonecommerce`');
  });

  it('ignores a button value that is not a saved report', async () => {
    const before = t.slack.responses.length;
    await shareClick('../../etc');
    await t.slack.waitFor(() =>
      t.slack.responses.slice(before).find((r) => String(r.body.text).includes('not a report I know')),
    );
  });
});
