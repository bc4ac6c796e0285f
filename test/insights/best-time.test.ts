import { DateTime, type WeekdayNumbers } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostResultDoc } from '../../src/services/post-results.ts';
import { commandAnswer, textOf } from '../harness/slack-answers.ts';
import { ADMIN, EDITOR } from '../harness/test-app.ts';
import {
  currentView,
  FB,
  IG,
  IG_ID,
  input,
  openDraft,
  type PostApp,
  startPostApp,
  submitView,
  until,
} from '../posts/post-harness.ts';

let t: PostApp;

beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => {
  await t?.stop();
});

const BERLIN = 'Europe/Berlin';

/** A moment `weeksAgo` weeks back on `weekday` at `hour`:`minute` in Berlin. */
function at(weeksAgo: number, weekday: number, hour: number, minute = 10): Date {
  return DateTime.now()
    .setZone(BERLIN)
    .startOf('week')
    .minus({ weeks: weeksAgo })
    .set({ weekday: weekday as WeekdayNumbers, hour, minute })
    .toJSDate();
}

let seeded = 0;
/** A measured post of an account, as its results checkpoint stored it. */
function measured(
  accountId: string,
  platform: 'instagram' | 'facebook',
  publishedAt: Date,
  metrics: Record<string, number>,
  checkpoint: '24h' | '7d' = '7d',
  targetId = `seeded-${++seeded}:${accountId}`,
): PostResultDoc {
  return {
    _id: `${targetId}|${checkpoint}`,
    version: 1,
    targetId,
    postId: targetId.split(':')[0] ?? '',
    accountId,
    platform,
    postType: platform === 'instagram' ? 'instagram_feed' : 'facebook_text',
    checkpoint,
    publishedAt,
    state: 'posted',
    claimedBy: 'earlier',
    claimedAt: publishedAt,
    attempts: 1,
    metrics,
    refused: [],
  };
}

/** Engagement split over Instagram's four engagement figures. */
const ig = (views: number | undefined, reach: number, engagement: number) => ({
  ...(views === undefined ? {} : { views }),
  reach,
  likes: engagement - 3,
  comments: 1,
  shares: 1,
  saved: 1,
});

describe('/wone besttime', () => {
  it('falls back to Instagram online followers with too little history, and says so', async () => {
    // Followers online peak on Wednesdays 18:00 UTC, then Fridays 17:00 and Sundays 08:00.
    t.graph.setOnlineFollowers(IG_ID, (weekday, hour) => {
      if (weekday === 3 && hour === 18) return 900;
      if (weekday === 5 && hour === 17) return 800;
      if (weekday === 7 && hour === 8) return 700;
      return 100;
    });
    await t.app.services.db
      .collection<PostResultDoc>('post_results')
      .insertMany([measured(IG, 'instagram', at(1, 2, 18), ig(1000, 700, 80))]);
    const calls = t.graph.instagram.callsTo('GET', /\/insights$/).length;
    const answer = textOf(await commandAnswer(t, ADMIN, 'besttime @wone.commerce'));
    const berlin = (weekday: number, hour: number) =>
      DateTime.utc()
        .set({ weekday: weekday as WeekdayNumbers, hour })
        .setZone(BERLIN);
    const label = (d: DateTime) => `${d.toFormat('cccc')}s ${d.toFormat('HH')}:00`;
    expect(answer).toContain('Only 1 measured post in the last 90 days (10 needed');
    expect(answer).toContain("from Instagram's online followers over the last 30 days");
    expect(answer).toContain(`1. ${label(berlin(3, 18))}–`);
    expect(answer).toContain('900 followers online');
    expect(answer).toContain(`2. ${label(berlin(5, 17))}–`);
    expect(answer).toContain(`3. ${label(berlin(7, 8))}–`);
    expect(answer).toContain('Times in your time zone, Europe/Berlin.');
    const asked = t.graph.instagram.callsTo('GET', /\/insights$/).slice(calls);
    expect(asked.map((call) => [call.query.metric, call.query.period])).toEqual([['online_followers', 'lifetime']]);
  });

  it('ranks the best three weekday × hour slots from our own history, as computed by hand', async () => {
    const tuesday = measured(IG, 'instagram', at(3, 2, 18), ig(1200, 900, 100));
    await t.app.services.db.collection<PostResultDoc>('post_results').insertMany([
      // Tuesdays 18:00: (80 + 60 + 100) / (1000 + 800 + 1200) = 8.0% (the first post is the seeded one above).
      measured(IG, 'instagram', at(2, 2, 18), ig(800, 600, 60)),
      tuesday,
      // Its 24-hour figures are ignored: the 7-day ones count.
      measured(IG, 'instagram', at(3, 2, 18), ig(100, 90, 90), '24h', tuesday.targetId),
      // Thursdays 12:00: (30 + 20) / (500 + 500) = 5.0%.
      measured(IG, 'instagram', at(1, 4, 12), ig(500, 400, 30)),
      measured(IG, 'instagram', at(2, 4, 12), ig(500, 400, 20)),
      // Saturdays 10:00, no views, so per reach: (30 + 30) / (400 + 600) = 6.0%.
      measured(IG, 'instagram', at(1, 6, 10), ig(undefined, 400, 30)),
      measured(IG, 'instagram', at(2, 6, 10), ig(undefined, 600, 30)),
      // Mondays 09:00: (20 + 20) / (1000 + 1000) = 2.0%.
      measured(IG, 'instagram', at(2, 1, 9), ig(1000, 800, 20)),
      measured(IG, 'instagram', at(3, 1, 9), ig(1000, 800, 20)),
      // Sundays 20:00: 50% but a single post, so not ranked.
      measured(IG, 'instagram', at(1, 7, 20), ig(100, 90, 50)),
      // Older than 90 days: left out.
      measured(IG, 'instagram', at(14, 3, 7), ig(10, 10, 9)),
    ]);
    const calls = t.graph.instagram.calls.length;
    const answer = textOf(await commandAnswer(t, ADMIN, 'besttime @wone.commerce'));
    expect(answer).toContain('from our own 10 posts');
    expect(answer).toContain('1. Tuesdays 18:00–19:00 · 8.0% engagement per view · 3 posts');
    expect(answer).toContain('2. Saturdays 10:00–11:00 · 6.0% engagement per view · 2 posts');
    expect(answer).toContain('3. Thursdays 12:00–13:00 · 5.0% engagement per view · 2 posts');
    expect(answer).not.toContain('Mondays');
    expect(answer).not.toContain('online followers');
    // Our own history needs no platform call.
    expect(t.graph.instagram.calls.length).toBe(calls);

    // The same history in another reader's zone: New York is six hours behind Berlin in winter and summer alike.
    const [newYork] = await t.app.services.bestTime.answer('America/New_York', { accountIds: [IG] });
    expect(newYork?.source).toBe('history');
    expect(newYork?.source === 'history' && newYork.slots.map((s) => [s.weekday, s.hour])).toEqual([
      [2, 12],
      [6, 4],
      [4, 6],
    ]);
  });

  it('says when there is no history and the platform gives no audience activity', async () => {
    await t.app.services.db
      .collection<PostResultDoc>('post_results')
      .insertOne(
        measured(FB, 'facebook', at(1, 2, 9), { views: 300, reach: 200, reactions: 9, comments: 1, shares: 0 }),
      );
    const answer = textOf(await commandAnswer(t, ADMIN, 'besttime Wone Commerce'));
    expect(answer).toContain('*Facebook Wone Commerce*');
    expect(answer).toContain('Only 1 measured post in the last 90 days');
    expect(answer).toContain('Facebook does not report when followers are online');
    expect(answer).toContain('No suggestion yet.');
  });

  it('refuses an account name it does not know, escaped', async () => {
    const answer = textOf(await commandAnswer(t, ADMIN, 'besttime <!channel>'));
    expect(answer).toContain('No connected account is called `&lt;!channel&gt;`');
  });

  it('offers the next suggested times in the draft modal, and a picked one becomes the post time', async () => {
    const opened = await openDraft(t, EDITOR);
    const tokyo = 'Asia/Tokyo';
    type Select = { block_id?: string; element?: { options?: { value: string; text: { text: string } }[] } };
    const suggestions = await until(async () => {
      const blocks = currentView(t, opened.id).view.blocks as Select[] | undefined;
      return blocks?.find((block) => block.block_id === 'suggested_time')?.element?.options;
    });
    // Instagram's three best slots (Tue 18, Sat 10, Thu 12 in Berlin), as Tokyo times, soonest first.
    const expected = [
      [3, 2],
      [6, 18],
      [4, 20],
    ].map(([weekday, hour]) => `${weekday}-${hour}`);
    const times = suggestions.map((o) => DateTime.fromISO(o.value, { zone: tokyo }));
    expect(times.map((d) => `${d.weekday}-${d.hour}`).sort()).toEqual([...expected].sort());
    for (const [i, time] of times.entries()) {
      expect(time.toMillis()).toBeGreaterThan(Date.now() + 30 * 60_000 - 1000);
      expect(time.toMillis()).toBeLessThan(Date.now() + 7 * 86_400_000 + 30 * 60_000);
      if (i > 0) expect(time.toMillis()).toBeGreaterThan(times[i - 1]?.toMillis() ?? 0);
    }
    expect(suggestions[0]?.text.text).toContain('@wone.commerce');

    const picked = suggestions[1]?.value ?? '';
    const submitted = await submitView(t, currentView(t, opened.id), EDITOR, {
      accounts: input.multi([FB]),
      post_type_facebook: input.select('facebook_text'),
      caption: input.text('Weekend opening hours'),
      when: input.radio('at'),
      date: input.date('2030-01-01'),
      time: input.time('09:00'),
      suggested_time: input.select(picked),
    });
    expect(submitted.status).toBe(200);
    const post = await until(() =>
      t.app.services.posts.collection.findOne({ caption: 'Weekend opening hours', state: 'pending_approval' }),
    );
    expect(post.schedule).toEqual({
      kind: 'at',
      date: picked.slice(0, 10),
      time: picked.slice(11),
      timezone: tokyo,
    });
  });
});
