import { describe, expect, it } from 'vitest';
import { messageProblems } from '../../src/sandbox/block-kit-rules.ts';
import type { BestTimeAnswer } from '../../src/services/best-time.ts';
import { median } from '../../src/services/post-results.ts';
import { bestTimeMessage, slotLabel, suggestedTimeLabel } from '../../views/best-time-message.ts';
import { comparisonText, postResultsMessage, postResultsNote } from '../../views/post-results-message.ts';

describe('results reply', () => {
  it('words the comparison as "2.1× your usual reel reach"', () => {
    expect(
      comparisonText({ metric: 'reach', value: 1260, median: 600, ratio: 2.1, compared: 5 }, 'instagram_reel'),
    ).toBe('2.1× your usual reel reach');
    expect(comparisonText({ metric: 'saved', value: 3, compared: 1 }, 'instagram_reel')).toBeUndefined();
    expect(comparisonText({ metric: 'view_count', value: 90, median: 3, ratio: 30, compared: 4 }, 'tiktok_video')).toBe(
      '30× your usual video views',
    );
  });

  it('stays within Slack limits and escapes the account name and the platform reason', () => {
    const message = postResultsMessage({
      checkpoint: '24h',
      accountName: '<!channel> shop',
      platform: 'instagram',
      postType: 'instagram_story',
      figures: [
        { metric: 'views', value: 300, compared: 0 },
        { metric: 'reach', value: 250, compared: 0 },
      ],
      refused: [{ metric: 'likes', reason: `(#100) <b>not</b> supported ${'x'.repeat(5000)}` }],
    });
    expect(messageProblems(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; shop');
    expect(text).toContain('Instagram does not give likes ((#');
    expect(text).toContain('&lt;b&gt;not&lt;/b&gt; supported');
    expect(text).toContain('Not enough stories in the last 90 days');
    const note = postResultsNote({
      checkpoint: '7d',
      accountName: 'Shop',
      platform: 'facebook',
      problem: "Facebook refused the account's login; it needs reconnecting.",
    });
    expect(messageProblems(note)).toEqual([]);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([300, 100, 200])).toBe(200);
    expect(median([400, 100, 300, 200])).toBe(250);
  });
});

describe('best time answer', () => {
  it('names slots and suggested times as people read them, within Slack limits', () => {
    expect(slotLabel({ weekday: 2, hour: 18 })).toBe('Tuesdays 18:00–19:00');
    expect(slotLabel({ weekday: 7, hour: 23 })).toBe('Sundays 23:00–00:00');
    expect(
      suggestedTimeLabel({
        at: new Date('2026-12-08T17:00:00Z'),
        date: '2026-12-08',
        time: '18:00',
        weekday: 2,
        accountNames: ['@wone.commerce', 'Wone Commerce'],
      }),
    ).toBe('Tue 8 Dec 18:00 · @wone.commerce, Wone Commerce');
    const answers: BestTimeAnswer[] = Array.from({ length: 60 }, (_, i) => ({
      accountId: `instagram:${i}`,
      accountName: `@shop_${i}_${'y'.repeat(200)}`,
      platform: 'instagram',
      posts: 12,
      source: 'history',
      slots: [{ weekday: 1, hour: 9, posts: 3, rate: 0.052 }],
    }));
    const message = bestTimeMessage(answers, 'Europe/Berlin');
    expect(messageProblems(message)).toEqual([]);
  });
});
