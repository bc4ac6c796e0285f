import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { APPROVER, EDITOR, TEAM_ID } from '../harness/test-app.ts';
import { jpegBytes } from './media-fixtures.ts';
import {
  buttonsOf,
  changeView,
  click,
  currentView,
  FB,
  IG,
  IG_ID,
  input,
  openDraft,
  openLoadedDraft,
  PAGE_ID,
  type PostApp,
  previewOf,
  startPostApp,
  submitView,
  TIKTOK_OPEN_ID,
  TT,
  until,
} from './post-harness.ts';

/**
 * The draft modal follows the choices made in it: each dispatching input sends `block_actions`, and the app redraws
 * the modal with `views.update` and the view's hash. Whatever the form showed, a submission meets every rule.
 */

type Block = { type: string; block_id?: string; optional?: boolean; element?: { action_id?: string } };
let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

const blockIds = (view: { view: Record<string, unknown> }) =>
  (view.view.blocks as Block[]).flatMap((b) => (b.block_id ? [b.block_id] : []));
const updates = () => t.slack.calls.filter((call) => call.method === 'views.update');

describe('the draft modal adapts', () => {
  it('redraws through views.update with the view id and hash, showing what the chosen networks need', async () => {
    const loaded = await openLoadedDraft(t, EDITOR);
    expect(blockIds(loaded).filter((id) => id.startsWith('post_type_') || id.startsWith('tiktok_'))).toEqual([]);
    const hash = loaded.hash;
    const before = updates().length;

    const chosen = await changeView(t, loaded, EDITOR, 'accounts', {
      accounts: input.multi([IG, TT]),
      caption: input.text('Typed before choosing'),
    });
    const call = updates()[before];
    expect(call?.args).toMatchObject({ view_id: loaded.id, hash });
    const ids = blockIds(chosen);
    expect(ids).toContain('post_type_instagram');
    expect(ids).toContain('post_type_tiktok');
    expect(ids).not.toContain('post_type_facebook');
    expect(ids).toContain(`tiktok_privacy:${TT}`);
    expect(ids).toContain('caption_instagram');
    expect(ids).toContain('caption_tiktok');
    // Inputs keep their block and action ids, so Slack keeps what was typed in them.
    const caption = (chosen.view.blocks as Block[]).find((b) => b.block_id === 'caption');
    expect(caption?.element?.action_id).toBe('value');
    expect(JSON.stringify(caption)).toContain('Typed before choosing');

    const asap = await changeView(t, chosen, EDITOR, 'when', {
      accounts: input.multi([IG, TT]),
      when: input.radio('asap'),
    });
    expect(blockIds(asap)).not.toContain('date');
    expect(blockIds(asap)).not.toContain('time');
    const at = await changeView(t, asap, EDITOR, 'when', { accounts: input.multi([IG, TT]), when: input.radio('at') });
    expect(blockIds(at)).toContain('date');
    expect((at.view.blocks as Block[]).find((b) => b.block_id === 'date')?.optional).toBeUndefined();

    const none = await changeView(t, at, EDITOR, 'accounts', { accounts: input.multi([]) });
    expect(blockIds(none).filter((id) => id.startsWith('post_type_') || id.startsWith('tiktok_'))).toEqual([]);
  });

  it('asks TikTok for the creator settings when the TikTok account is chosen, if they were not loaded at opening', async () => {
    const account = t.tiktok.account(TIKTOK_OPEN_ID);
    account.creatorInfoError = 'reached_active_user_cap';
    const modal = await openDraft(t, EDITOR);
    await until(async () => updates().some((call) => call.args.view_id === modal.id));
    expect(String(currentView(t, modal.id).view.private_metadata)).not.toContain(`"${TT}":{`);
    delete account.creatorInfoError;

    const chosen = await changeView(t, currentView(t, modal.id), EDITOR, 'accounts', { accounts: input.multi([TT]) });
    expect(blockIds(chosen)).toContain(`tiktok_privacy:${TT}`);
    expect(JSON.stringify(chosen.view.blocks)).not.toContain('Could not load');
    // Kept for the submission's checks.
    expect(String(chosen.view.private_metadata)).toContain(`"${TT}":{`);
  });

  it('leaves a newer view alone when a change arrives with an older hash (Slack answers hash_conflict)', async () => {
    const loaded = await openLoadedDraft(t, EDITOR);
    const stale = { ...loaded, view: { ...loaded.view } };
    const newer = await changeView(t, loaded, EDITOR, 'accounts', { accounts: input.multi([IG]) });
    const shown = JSON.stringify(newer.view);
    const before = updates().length;
    await t.signer.interaction({
      type: 'block_actions',
      team: { id: TEAM_ID, domain: 'wone' },
      user: { id: EDITOR, username: 'eddie', name: 'eddie', team_id: TEAM_ID },
      api_app_id: 'A0WONE',
      token: 'deprecated',
      trigger_id: `${Date.now()}.2.change`,
      container: { type: 'view', view_id: stale.id },
      view: {
        ...stale.view,
        id: stale.id,
        hash: stale.hash,
        state: { values: { accounts: { value: input.multi([FB]) } } },
        team_id: TEAM_ID,
        app_id: 'A0WONE',
      },
      actions: [{ action_id: 'value', block_id: 'accounts', type: 'multi_static_select', action_ts: '1' }],
    });
    await until(async () => updates().length > before);
    await until(async () => t.logs().includes('draft modal redraw skipped'));
    expect(updates()[before]?.args.hash).toBe(stale.hash);
    expect(JSON.stringify(currentView(t, loaded.id).view)).toBe(shown);
  });

  it('refuses a submission that skips a rule the form did not show', async () => {
    const loaded = await openLoadedDraft(t, EDITOR);
    // Nothing network-specific was shown; the submission names Instagram and TikTok anyway, with no types, no
    // audience, no date, and a caption too long for Instagram.
    const answer = await submitView(t, loaded, EDITOR, {
      accounts: input.multi([IG, TT]),
      caption: input.text('Fine for TikTok'),
      caption_instagram: input.text('x'.repeat(2201)),
      when: input.radio('at'),
    });
    const errors = (answer.body.errors ?? {}) as Record<string, string>;
    expect(errors.post_type_instagram).toContain('Instagram');
    expect(errors.post_type_tiktok).toContain('TikTok');
    expect(errors.date).toContain('Choose a date');
    expect(errors[`tiktok_privacy:${TT}`]).toContain('Choose who can see this post');

    const typed = await submitView(t, loaded, EDITOR, {
      accounts: input.multi([IG]),
      post_type_instagram: input.select('instagram_feed'),
      caption: input.text('Fine'),
      caption_instagram: input.text('x'.repeat(2201)),
      media_urls: input.text('https://example.com/a.jpg'),
      when: input.radio('asap'),
    });
    // One network only: its own caption still counts, and is checked against Instagram's limit.
    expect((typed.body.errors as Record<string, string>).caption_instagram).toContain('2200');
  });

  it("publishes each network's own caption, and the main caption where none was written", async () => {
    const image = t.slack.addFile('F0ADAPT', 'adapt.jpg', 'image/jpeg', jpegBytes(1080, 1350));
    const loaded = await openLoadedDraft(t, EDITOR);
    const answer = await submitView(t, loaded, EDITOR, {
      accounts: input.multi([IG, FB]),
      post_type_instagram: input.select('instagram_feed'),
      post_type_facebook: input.select('facebook_photo'),
      // A type left from a network that was deselected is not saved.
      post_type_tiktok: input.select('tiktok_video:direct'),
      caption: input.text('The main caption'),
      caption_instagram: input.text('Only on Instagram #wone'),
      caption_facebook: input.text('   '),
      caption_tiktok: input.text('Not going anywhere'),
      media: input.files([image]),
      when: input.radio('asap'),
    });
    expect(answer.body).toEqual({});
    const post = await until(async () => {
      const found = await t.app.services.posts.collection.findOne({ caption: 'The main caption' });
      return found?.state === 'pending_approval' && found.approvalMessage ? found : undefined;
    });
    expect(post.captions).toEqual({ instagram: 'Only on Instagram #wone' });
    expect(post.postTypes).toEqual({ instagram: 'instagram_feed', facebook: 'facebook_photo' });

    const preview = previewOf(t, post.approvalMessage?.ts ?? '');
    const approve = buttonsOf(preview).find((b) => b.action_id === approvalActions.approve);
    await click(t, APPROVER, approvalActions.approve, approve?.value ?? '', preview);
    await until(async () => (await t.app.services.posts.get(post._id))?.state === 'published', 30_000);
    expect(t.graph.published(IG_ID).map((item) => item.caption)).toEqual(['Only on Instagram #wone']);
    expect(t.graph.published(PAGE_ID).map((item) => item.caption)).toEqual(['The main caption']);
    const targets = await t.app.services.targets.ofPost(post._id);
    expect(Object.fromEntries(targets.map((target) => [target.platform, target.caption]))).toEqual({
      instagram: 'Only on Instagram #wone',
      facebook: 'The main caption',
    });
  });
});
