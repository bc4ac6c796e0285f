import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commentEventsFrom, validSignature } from '../../src/http/meta-webhooks.ts';
import { restFor } from '../../src/services/comments.ts';

describe('Meta webhook signature', () => {
  const body = Buffer.from('{"object":"page","entry":[]}');
  const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('accepts the HMAC-SHA256 of the raw body with the app secret, in either hex case', () => {
    expect(validSignature(body, sign('app-secret-1'), 'app-secret-1')).toBe(true);
    expect(validSignature(body, sign('app-secret-1').toUpperCase().replace('SHA256=', 'sha256='), 'app-secret-1')).toBe(
      true,
    );
  });

  it('refuses another secret, another body, a sha1 header, a truncated digest or no header', () => {
    expect(validSignature(body, sign('other-secret'), 'app-secret-1')).toBe(false);
    expect(validSignature(Buffer.from(`${body} `), sign('app-secret-1'), 'app-secret-1')).toBe(false);
    expect(validSignature(body, `sha1=${'a'.repeat(40)}`, 'app-secret-1')).toBe(false);
    expect(validSignature(body, sign('app-secret-1').slice(0, -2), 'app-secret-1')).toBe(false);
    expect(validSignature(body, undefined, 'app-secret-1')).toBe(false);
  });
});

describe('comment changes in a delivery', () => {
  it('reads Instagram comments named by comment_id or id, and Page comment add, edit and remove', () => {
    const events = commentEventsFrom({
      object: 'instagram',
      entry: [
        {
          id: '178',
          time: 1_742_667_607,
          changes: [
            {
              field: 'comments',
              value: { id: 'c1', text: 'hi', from: { id: '9', username: 'u' }, media: { id: 'm1' } },
            },
            {
              field: 'comments',
              value: { comment_id: 'c2', parent_id: 'c1', text: 'yo', from: { id: '178' }, media: { id: 'm1' } },
            },
            { field: 'comments', value: { text: 'no id', from: { id: '9' }, media: { id: 'm1' } } },
            { field: 'mentions', value: { media_id: 'm9' } },
          ],
        },
      ],
    });
    expect(events).toMatchObject([
      { kind: 'added', comment: { id: 'c1', itemId: 'm1', accountId: 'instagram:178', fromOwner: false } },
      { kind: 'added', comment: { id: 'c2', parentId: 'c1', fromOwner: true } },
    ]);
    const page = commentEventsFrom({
      object: 'page',
      entry: [
        {
          id: '104',
          time: 1,
          changes: ['add', 'edited', 'remove', 'hide'].map((verb) => ({
            field: 'feed',
            value: { item: 'comment', verb, post_id: '104_1', comment_id: '1_5', parent_id: '104_1', message: 'm' },
          })),
        },
        {
          id: '104',
          time: 1,
          changes: [{ field: 'feed', value: { item: 'reaction', verb: 'add', post_id: '104_1' } }],
        },
      ],
    });
    expect(page.map((event) => event.kind)).toEqual(['added', 'edited', 'removed']);
  });
});

describe('polling back-off from usage headers', () => {
  const interval = 5 * 60_000;
  it('keeps polling below 75 %, rests longer the closer to the limit, and at least until access is back', () => {
    expect(restFor(undefined, interval)).toBeUndefined();
    expect(restFor({ percent: 74 }, interval)).toBeUndefined();
    expect(restFor({ percent: 80 }, interval)).toBe(1.5 * interval);
    expect(restFor({ percent: 90 }, interval)).toBe(3.5 * interval);
    expect(restFor({ percent: 100, regainAccessMs: 3 * 3_600_000 }, interval)).toBe(3 * 3_600_000);
  });
});
