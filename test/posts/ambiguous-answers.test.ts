import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../../src/sandbox/fake-http-server.ts';
import { graphError } from '../../src/sandbox/graph-fake.ts';
import { APPROVER, EDITOR } from '../harness/test-app.ts';
import { jpegBytes, mp4Bytes } from './media-fixtures.ts';
import {
  draftWith,
  FB,
  IG,
  IG_ID,
  PAGE_ID,
  type PostApp,
  startPostApp,
  TIKTOK_OPEN_ID,
  TT,
  threadOf,
  tiktokUntouched,
  until,
} from './post-harness.ts';

// A publishing request whose answer does not say what happened is never sent a second time: the publisher finds out
// (looks for the post) or marks the target unconfirmed and says so in Slack. Each fault goes through the real
// publisher, the real platform client and the Graph simulator, and each ends with exactly one live post, or none and
// "not confirmed" in the post's thread.

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

type SlackFile = ReturnType<PostApp['slack']['addFile']>;

const feedPost = (req: FakeRequest) => req.method === 'POST' && req.path.endsWith(`/${PAGE_ID}/feed`);
const mediaPublish = (req: FakeRequest) => req.method === 'POST' && req.path.endsWith(`/${IG_ID}/media_publish`);

/** Approves a post "as soon as approved" and waits until publishing has finished; returns it with its one target. */
async function publishThrough(draft: Parameters<typeof draftWith>[0], files: SlackFile[] = []) {
  const id = await t.app.services.drafts.save({
    draft: draftWith(draft),
    files: files.map((slack) => ({
      id: slack.id,
      name: slack.name,
      mimetype: slack.mimetype,
      size: slack.size,
      url: slack.url_private,
    })),
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const pending = await t.app.services.drafts.prepare(id);
  if (pending?.state !== 'pending_approval') throw new Error(`not pending: ${pending?.state}`);
  await t.app.services.approvals.approve(id, pending.revision, APPROVER);
  const post = await until(async () => {
    const current = await t.app.services.posts.get(id);
    return current && ['published', 'needs_attention'].includes(current.state) ? current : undefined;
  }, 30_000);
  const [target] = await t.app.services.targets.ofPost(id);
  if (!target) throw new Error('no target');
  const thread = () => threadOf(t, post.approvalMessage?.ts ?? '').join('\n');
  return { post, target, thread };
}

/**
 * Exactly one live post with the caption and the target published, or none and the target unconfirmed with
 * "not confirmed" in the thread; either way one publishing request.
 */
async function expectOneOrUnconfirmed(
  outcome: Awaited<ReturnType<typeof publishThrough>>,
  live: () => number,
  requests: () => number,
): Promise<'published' | 'unconfirmed'> {
  expect(requests()).toBe(1);
  if (outcome.target.state === 'published') {
    expect(live()).toBe(1);
    await until(async () => outcome.thread().includes('Published on'));
    return 'published';
  }
  expect(outcome.target.state).toBe('unconfirmed');
  expect(live()).toBeLessThanOrEqual(1);
  await until(async () => outcome.thread().includes('not confirmed'));
  return 'unconfirmed';
}

describe('a Facebook feed post whose answer does not say what happened', () => {
  const cases: [string, FakeReply, 'before' | 'after'][] = [
    ['a 200 with an HTML body', { status: 200, text: '<html><body>Bad gateway</body></html>' }, 'after'],
    ['a 200 with an unexpected JSON body', { status: 200, json: { success: true } }, 'after'],
    ['Graph error 1 after the post was made', graphError(1, 'An unknown error has occurred.'), 'after'],
    [
      'Graph error 2 after the post was made',
      graphError(2, 'Service temporarily unavailable', { isTransient: true }),
      'after',
    ],
    ['Graph error 2 (HTTP 500) before anything was made', graphError(2, 'Unavailable', { status: 500 }), 'before'],
    ['a connection dropped after the post was made', { drop: true }, 'after'],
  ];
  for (const [name, reply, when] of cases) {
    it(`is looked for, never sent again: ${name}`, async () => {
      const caption = `Fault: ${name}`;
      const before = t.graph.facebook.callsTo('POST', new RegExp(`/${PAGE_ID}/feed$`)).length;
      t.graph.facebook.inject(feedPost, reply, { when });
      const outcome = await publishThrough({
        accountIds: [FB],
        postTypes: { facebook: 'facebook_text' },
        caption,
      });
      const state = await expectOneOrUnconfirmed(
        outcome,
        () => t.graph.published(PAGE_ID).filter((item) => item.caption === caption).length,
        () => t.graph.facebook.callsTo('POST', new RegExp(`/${PAGE_ID}/feed$`)).length - before,
      );
      // Made on the Page: the publisher finds it there; nothing made: nobody can know, a person is asked.
      expect(state).toBe(when === 'after' ? 'published' : 'unconfirmed');
    });
  }
});

describe('an Instagram media_publish whose answer does not say what happened', () => {
  const cases: [string, FakeReply][] = [
    ['a 200 with an HTML body', { status: 200, text: '<html>oops</html>' }],
    ['a 200 with an unexpected JSON body', { status: 200, json: { success: true } }],
    ['Graph error 2 after the post was made', graphError(2, 'Service temporarily unavailable', { isTransient: true })],
    ['a connection dropped after the post was made', { drop: true }],
  ];
  for (const [name, reply] of cases) {
    it(`is checked on the container, never published twice: ${name}`, async () => {
      const caption = `IG fault: ${name}`;
      const file = t.slack.addFile(`F${Date.now()}`, 'photo.jpg', 'image/jpeg', jpegBytes(1080, 1080));
      const before = t.graph.instagram.callsTo('POST', new RegExp(`/${IG_ID}/media_publish$`)).length;
      t.graph.instagram.inject(mediaPublish, reply, { when: 'after' });
      const outcome = await publishThrough({ accountIds: [IG], postTypes: { instagram: 'instagram_feed' }, caption }, [
        file,
      ]);
      await expectOneOrUnconfirmed(
        outcome,
        () => t.graph.published(IG_ID).filter((item) => item.caption === caption).length,
        () => t.graph.instagram.callsTo('POST', new RegExp(`/${IG_ID}/media_publish$`)).length - before,
      );
    });
  }
});

describe('a TikTok publish init whose answer does not say what happened', () => {
  const videoInit = (req: FakeRequest) => req.method === 'POST' && req.path === '/v2/post/publish/video/init/';
  const cases: [string, FakeReply][] = [
    ['a 200 with an HTML body', { status: 200, text: '<html>gateway</html>' }],
    ['a 200 with an unexpected JSON body', { status: 200, json: { success: true } }],
    [
      'an internal error after the post was started',
      { status: 500, json: { error: { code: 'internal_error', message: 'Something went wrong', log_id: 'x' } } },
    ],
  ];
  for (const [name, reply] of cases) {
    it(`is unconfirmed, never sent again: ${name}`, async () => {
      const caption = `TikTok fault: ${name}`;
      const file = t.slack.addFile(`F${Date.now()}`, 'clip.mp4', 'video/mp4', mp4Bytes(1080, 1920, 8, 50_000));
      const before = t.tiktok.server.callsTo('POST', '/v2/post/publish/video/init/').length;
      t.tiktok.server.inject(videoInit, reply, { when: 'after' });
      const outcome = await publishThrough(
        {
          accountIds: [TT],
          postTypes: { tiktok: 'tiktok_video' },
          caption,
          tiktok: { ...tiktokUntouched, privacy: { [TT]: 'SELF_ONLY' } },
        },
        [file],
      );
      await expectOneOrUnconfirmed(
        outcome,
        () => t.tiktok.postsOf(TIKTOK_OPEN_ID).filter((item) => item.title === caption).length,
        () => t.tiktok.server.callsTo('POST', '/v2/post/publish/video/init/').length - before,
      );
    });
  }
});
