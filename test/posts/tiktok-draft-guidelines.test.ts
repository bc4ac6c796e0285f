import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeAccount } from '../../src/sandbox/tiktok-fake.ts';
import { publishRequestOf } from '../../src/services/draft-rules.ts';
import { EDITOR, TEAM_ID } from '../harness/test-app.ts';
import {
  currentView,
  input,
  openDraft,
  type PostApp,
  startPostApp,
  submitView,
  TIKTOK_OPEN_ID,
  TT,
  until,
} from './post-harness.ts';

/**
 * TikTok's content sharing guidelines for the posting form, each checked through the draft modal as an app audit
 * checks them: what the form shows, and what it refuses.
 */

type Values = Parameters<typeof submitView>[3];
type View = ReturnType<typeof currentView>;
type Block = {
  type: string;
  block_id?: string;
  element?: { options?: { value: string }[]; initial_option?: unknown; initial_options?: unknown; max_length?: number };
  hint?: { text: string };
  dispatch_action?: boolean;
};

const video = new Uint8Array(readFileSync(new URL('../fixtures/tiny-360x640-2s.mp4', import.meta.url)));
let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

const creatorDefaults: Partial<FakeAccount> = {
  nickname: 'Wone <Shop> *bold*',
  privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
  commentDisabled: false,
  duetDisabled: false,
  stitchDisabled: false,
  maxVideoPostDurationSec: 600,
};
beforeEach(() => {
  Object.assign(t.tiktok.account(TIKTOK_OPEN_ID), creatorDefaults);
});

/**
 * Opens the modal, waits until TikTok's creator settings are loaded, then chooses the TikTok account (and a post
 * type), as a person would: TikTok's settings show only once a TikTok account is chosen.
 */
async function openFilled(type?: string): Promise<View> {
  const modal = await openDraft(t, EDITOR);
  const loaded = await until(async () => {
    const view = currentView(t, modal.id);
    const metadata = JSON.parse(String(view.view.private_metadata)) as { creators: Record<string, unknown> };
    return metadata.creators[TT] ? view : undefined;
  });
  expect(block(loaded, `tiktok_privacy:${TT}`)).toBeUndefined();
  return change(loaded, 'accounts', type ? { post_type_tiktok: input.select(type) } : {});
}

function blocksOf(view: View): Block[] {
  return view.view.blocks as Block[];
}

function block(view: View, id: string): Block | undefined {
  return blocksOf(view).find((b) => b.block_id === id);
}

const optionValues = (b: Block | undefined) => (b?.element?.options ?? []).map((o) => o.value);

/** A change in a dispatching input, as Slack sends it (block_actions with the view's state); waits for the redraw. */
async function change(view: View, blockId: string, values: Values): Promise<View> {
  const hash = view.hash;
  const chosen = { accounts: input.multi([TT]), ...values };
  const state = Object.fromEntries(Object.entries(chosen).map(([id, value]) => [id, { value }]));
  const response = await t.signer.interaction({
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: EDITOR, username: 'editor', name: 'editor', team_id: TEAM_ID },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: `${Date.now()}.1.change`,
    container: { type: 'view', view_id: view.id },
    view: { ...view.view, id: view.id, hash, state: { values: state }, team_id: TEAM_ID, app_id: 'A0WONE' },
    actions: [{ action_id: 'value', block_id: blockId, type: 'static_select', action_ts: `${Date.now() / 1000}` }],
  });
  expect(response.status).toBe(200);
  return until(async () => {
    const current = currentView(t, view.id);
    return current.hash !== hash ? current : undefined;
  });
}

async function errorsOf(view: View, values: Values): Promise<Record<string, string>> {
  const answer = await submitView(t, view, EDITOR, {
    accounts: input.multi([TT]),
    caption: input.text('A caption'),
    when: input.radio('asap'),
    ...values,
  });
  return ((answer.body.errors ?? {}) as Record<string, string>) ?? {};
}

describe("the draft modal and TikTok's content sharing guidelines", () => {
  it("shows the creator's nickname (escaped) and maximum video length from creator_info", async () => {
    t.tiktok.account(TIKTOK_OPEN_ID).maxVideoPostDurationSec = 180;
    const view = await openFilled();
    const text = JSON.stringify(view.view.blocks);
    expect(text).toContain('Posting to *Wone &lt;Shop&gt;');
    expect(text).toContain('@wonecommerce');
    expect(text).toContain('videos up to 180 seconds');
  });

  it("offers exactly the creator's privacy options, none chosen, and refuses a direct post without one", async () => {
    t.tiktok.account(TIKTOK_OPEN_ID).privacyLevelOptions = ['FOLLOWER_OF_CREATOR', 'SELF_ONLY'];
    const view = await openFilled();
    const privacy = block(view, `tiktok_privacy:${TT}`);
    expect(optionValues(privacy)).toEqual(['FOLLOWER_OF_CREATOR', 'SELF_ONLY']);
    expect(privacy?.element?.initial_option).toBeUndefined();
    const errors = await errorsOf(view, {
      post_type_tiktok: input.select('tiktok_video:direct'),
      media_urls: input.text('https://example.com/v.mp4'),
    });
    expect(errors[`tiktok_privacy:${TT}`]).toContain('Choose who can see this post');
    const offered = await errorsOf(view, {
      post_type_tiktok: input.select('tiktok_video:direct'),
      media_urls: input.text('https://example.com/v.mp4'),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
    });
    expect(offered[`tiktok_privacy:${TT}`]).toContain('does not offer that');
  });

  it('asks interactions per account, all off, leaving out what the creator turned off, and refuses it if sent', async () => {
    Object.assign(t.tiktok.account(TIKTOK_OPEN_ID), { duetDisabled: true, stitchDisabled: true });
    const view = await openFilled();
    const interactions = block(view, `tiktok_interactions:${TT}`);
    expect(optionValues(interactions)).toEqual(['comment']);
    expect(interactions?.element?.initial_options).toBeUndefined();
    expect(JSON.stringify(view.view.blocks)).toContain("Duet, Stitch: turned off in this account's TikTok settings");
    const errors = await errorsOf(view, {
      post_type_tiktok: input.select('tiktok_video:direct'),
      media_urls: input.text('https://example.com/v.mp4'),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
      [`tiktok_interactions:${TT}`]: input.checks(['comment', 'duet']),
    });
    expect(errors[`tiktok_interactions:${TT}`]).toContain('duets turned off');
  });

  it('offers photo posts only "Allow comment" once the photo type is chosen, and refuses duets on a photo', async () => {
    const view = await openFilled();
    expect(optionValues(block(view, `tiktok_interactions:${TT}`))).toEqual(['comment', 'duet', 'stitch']);
    expect(block(view, 'post_type_tiktok')?.dispatch_action).toBe(true);
    const photo = await change(view, 'post_type_tiktok', {
      accounts: input.multi([TT]),
      post_type_tiktok: input.select('tiktok_photo:direct'),
    });
    expect(optionValues(block(photo, `tiktok_interactions:${TT}`))).toEqual(['comment']);
    expect(block(photo, `tiktok_interactions:${TT}`)?.hint?.text).toContain('comments only');
    const errors = await errorsOf(photo, {
      post_type_tiktok: input.select('tiktok_photo:direct'),
      media_urls: input.text('https://example.com/p.jpg'),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
      [`tiktok_interactions:${TT}`]: input.checks(['comment', 'duet']),
    });
    expect(errors[`tiktok_interactions:${TT}`]).toContain('photo posts take comments only');
  });

  it('has the commercial content disclosure as a toggle, off, with the kinds, labels and declarations TikTok asks', async () => {
    const view = await openFilled();
    const toggle = block(view, 'tiktok_disclose');
    expect(optionValues(toggle)).toEqual(['on']);
    expect(toggle?.element?.initial_options).toBeUndefined();
    expect(block(view, 'tiktok_disclosure')).toBeUndefined();
    expect(JSON.stringify(view.view.blocks)).toContain('Music Usage Confirmation');
    expect(JSON.stringify(view.view.blocks)).not.toContain('Branded Content Policy');

    const on = await change(view, 'tiktok_disclose', { tiktok_disclose: input.checks(['on']) });
    expect(optionValues(block(on, 'tiktok_disclosure'))).toEqual(['organic', 'branded']);
    expect(JSON.stringify(on.view.blocks)).toContain('Your brand');
    expect(JSON.stringify(on.view.blocks)).toContain('Branded content');
    const neither = await errorsOf(on, {
      post_type_tiktok: input.select('tiktok_video:direct'),
      media_urls: input.text('https://example.com/v.mp4'),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
      tiktok_disclose: input.checks(['on']),
      tiktok_disclosure: input.checks([]),
    });
    expect(neither.tiktok_disclosure).toContain('promotes yourself, a third party, or both');

    const organic = await change(on, 'tiktok_disclosure', {
      tiktok_disclose: input.checks(['on']),
      tiktok_disclosure: input.checks(['organic']),
    });
    expect(JSON.stringify(organic.view.blocks)).toContain('labeled as \\"Promotional content\\"');
    expect(JSON.stringify(organic.view.blocks)).not.toContain('Branded Content Policy');

    const branded = await change(organic, 'tiktok_disclosure', {
      tiktok_disclose: input.checks(['on']),
      tiktok_disclosure: input.checks(['organic', 'branded']),
    });
    expect(JSON.stringify(branded.view.blocks)).toContain('labeled as \\"Paid partnership\\"');
    expect(JSON.stringify(branded.view.blocks)).toContain('Branded Content Policy');
  });

  it('does not offer "Only me" with branded content before submit, and refuses it at submit', async () => {
    const view = await openFilled();
    expect(optionValues(block(view, `tiktok_privacy:${TT}`))).toContain('SELF_ONLY');
    const branded = await change(view, 'tiktok_disclosure', {
      tiktok_disclose: input.checks(['on']),
      tiktok_disclosure: input.checks(['branded']),
    });
    const privacy = block(branded, `tiktok_privacy:${TT}`);
    expect(optionValues(privacy)).toEqual(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS']);
    expect(privacy?.hint?.text).toContain('cannot be set to private');
    const errors = await errorsOf(branded, {
      post_type_tiktok: input.select('tiktok_video:direct'),
      media_urls: input.text('https://example.com/v.mp4'),
      [`tiktok_privacy:${TT}`]: input.select('SELF_ONLY'),
      tiktok_disclose: input.checks(['on']),
      tiktok_disclosure: input.checks(['branded']),
    });
    expect(errors[`tiktok_privacy:${TT}`]).toContain('cannot be set to private');
  });

  it('has an editable photo title of at most 90 characters, which goes to TikTok as the title', async () => {
    const view = await openFilled('tiktok_photo:direct');
    expect(block(view, 'tiktok_photo_title')?.element?.max_length).toBe(90);
    const errors = await errorsOf(view, {
      post_type_tiktok: input.select('tiktok_photo:direct'),
      media_urls: input.text('https://example.com/p.jpg'),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
      tiktok_photo_title: input.text('t'.repeat(91)),
    });
    expect(errors.tiktok_photo_title).toContain('at most 90');
  });

  it("sends back a video longer than the creator's maximum, read from the stored file", async () => {
    t.tiktok.account(TIKTOK_OPEN_ID).maxVideoPostDurationSec = 1;
    const view = await openFilled();
    expect(JSON.stringify(view.view.blocks)).toContain('videos up to 1 seconds');
    const file = t.slack.addFile('F0LONG', 'long.mp4', 'video/mp4', video);
    const answer = await submitView(t, view, EDITOR, {
      accounts: input.multi([TT]),
      caption: input.text('Too long for this creator'),
      when: input.radio('asap'),
      post_type_tiktok: input.select('tiktok_video:direct'),
      media: input.files([file]),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
    });
    expect(answer.body).toEqual({});
    const post = await until(async () => {
      const found = await t.app.services.posts.collection.findOne({ caption: 'Too long for this creator' });
      return found?.state === 'changes_requested' ? found : undefined;
    });
    expect(post.decisions.at(-1)?.note).toContain('videos up to 1 seconds long');
  });

  it('leaves music to the requester: off unless chosen, and sent to TikTok as chosen', async () => {
    const view = await openFilled('tiktok_photo:direct');
    const music = block(view, 'tiktok_music');
    expect(optionValues(music)).toEqual(['music']);
    expect(music?.element?.initial_options).toBeUndefined();
    for (const chosen of [false, true]) {
      const caption = `Music ${chosen}`;
      const answer = await submitView(t, view, EDITOR, {
        accounts: input.multi([TT]),
        caption: input.text(caption),
        when: input.radio('asap'),
        post_type_tiktok: input.select('tiktok_photo:direct'),
        media_urls: input.text('https://example.com/p.jpg'),
        [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
        tiktok_music: input.checks(chosen ? ['music'] : []),
      });
      expect(answer.body).toEqual({});
      const post = await until(() => t.app.services.posts.collection.findOne({ caption }));
      const request = publishRequestOf(post, 'tiktok_photo', [], TT);
      expect(request.tiktok?.autoAddMusic).toBe(chosen);
    }
  });
});
