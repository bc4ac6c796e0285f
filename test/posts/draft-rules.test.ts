import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLocalTime } from '../../src/services/schedule-time.ts';
import { ADMIN, EDITOR } from '../harness/test-app.ts';
import { jpegBytes, mp4Bytes, pngBytes } from './media-fixtures.ts';
import {
  currentView,
  FB,
  IG,
  input,
  openDraft,
  type PostApp,
  startPostApp,
  submitView,
  TT,
  until,
} from './post-harness.ts';

let t: PostApp;
let modal: Awaited<ReturnType<typeof openDraft>>;
beforeAll(async () => {
  t = await startPostApp();
  modal = await openDraft(t, ADMIN);
  // Once TikTok's creator settings are in the modal's metadata (the rules check submissions against them).
  await until(async () => String(currentView(t, modal.id).view.private_metadata).includes(`"${TT}":{`));
});
afterAll(async () => t?.stop());

const tomorrow = () => DateTime.now().setZone('Europe/Berlin').plus({ days: 1 }).toFormat('yyyy-MM-dd');

/** A valid Instagram feed post for tomorrow 09:00 (Berlin, the admin's zone), changed by `changes`. */
function form(changes: Record<string, ReturnType<(typeof input)[keyof typeof input]>> = {}) {
  return {
    accounts: input.multi([IG]),
    post_type_instagram: input.select('instagram_feed'),
    caption: input.text('A caption'),
    media: input.files([t.slack.addFile(`F${Math.random()}`, 'a.jpg', 'image/jpeg', jpegBytes(1080, 1080))]),
    when: input.radio('at'),
    date: input.date(tomorrow()),
    time: input.time('09:00'),
    ...changes,
  };
}

async function errorsOf(values: Record<string, unknown>) {
  const answer = await submitView(t, currentView(t, modal.id), ADMIN, values as never);
  expect(answer.status).toBe(200);
  return (answer.body as { errors?: Record<string, string> }).errors ?? {};
}

describe('every rule shows on its own input', () => {
  it.each<[string, () => Record<string, ReturnType<(typeof input)[keyof typeof input]>>, string]>([
    ['accounts', () => ({ accounts: input.multi([]) }), 'Choose at least one account'],
    ['post_type_instagram', () => ({ post_type_instagram: input.select(undefined) }), 'kind of Instagram post'],
    ['caption', () => ({ caption: input.text('x'.repeat(2201)) }), 'at most 2200 characters'],
    [
      'caption',
      () => ({ caption: input.text(Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ')) }),
      '30 hashtags',
    ],
    ['media', () => ({ media: input.files([]) }), 'Attach the image or video'],
    [
      'media',
      () => ({ media: input.files([t.slack.addFile('FPDF', 'a.pdf', 'application/pdf', new Uint8Array(10))]) }),
      'not a JPEG',
    ],
    [
      'media',
      () => ({ media: input.files([t.slack.addFile('FVID', 'a.mp4', 'video/mp4', mp4Bytes(1080, 1920, 10))]) }),
      'exactly one image',
    ],
    ['media_urls', () => ({ media_urls: input.text('http://example.com/big.mp4') }), 'not an https link'],
    ['date', () => ({ date: input.date(null) }), 'Choose a date'],
    ['time', () => ({ date: input.date('2020-01-01') }), 'in the future'],
    [
      'link',
      () => ({ accounts: input.multi([IG]), link: input.url('https://wone.example/shop') }),
      'Facebook text post only',
    ],
  ])('%s: %s', async (field, changes, message) => {
    const errors = await errorsOf(form(changes()));
    expect(errors[field]).toContain(message);
  });

  it('asks for the TikTok audience (never defaulted) on that account’s own input', async () => {
    const errors = await errorsOf(
      form({
        accounts: input.multi([TT]),
        post_type_tiktok: input.select('tiktok_photo:direct'),
        post_type_instagram: input.select(undefined),
        caption: input.text('Hi'),
      }),
    );
    expect(errors[`tiktok_privacy:${TT}`]).toContain('Choose who can see this post');
  });

  it('refuses a first comment on TikTok, and branded content that is private', async () => {
    const errors = await errorsOf(
      form({
        accounts: input.multi([TT]),
        post_type_tiktok: input.select('tiktok_photo:direct'),
        post_type_instagram: input.select(undefined),
        first_comment: input.text('first!'),
        [`tiktok_privacy:${TT}`]: input.select('SELF_ONLY'),
        tiktok_disclosure: input.checks(['branded']),
      }),
    );
    expect(errors.first_comment).toContain('no first comment');
    expect(errors[`tiktok_privacy:${TT}`]).toMatch(/[Bb]randed content visibility cannot be set to private/);
  });

  it('names the platform when several are chosen, e.g. a PNG for Instagram', async () => {
    const png = t.slack.addFile('FPNG', 'a.png', 'image/png', pngBytes(1080, 1080));
    const errors = await errorsOf(
      form({
        accounts: input.multi([IG, FB]),
        post_type_facebook: input.select('facebook_photo'),
        media: input.files([png]),
      }),
    );
    expect(errors.media).toMatch(/^Instagram: .*JPEG/);
  });

  it('refuses a time the clocks skip (DST) and keeps the modal open', async () => {
    const errors = await errorsOf(form({ date: input.date('2027-03-28'), time: input.time('02:30') }));
    expect(errors.time).toContain('does not exist on 2027-03-28 in Europe/Berlin');
  });

  it('accepts a valid draft with an empty answer, which closes the modal', async () => {
    expect(await errorsOf(form())).toEqual({});
  });
});

describe('time zones', () => {
  it('keeps wall-clock times across a DST change (Berlin, last Sunday of March 2027)', () => {
    const before = resolveLocalTime('2027-03-27', '09:00', 'Europe/Berlin');
    const after = resolveLocalTime('2027-03-28', '09:00', 'Europe/Berlin');
    expect(before.ok && before.at.toISOString()).toBe('2027-03-27T08:00:00.000Z');
    expect(after.ok && after.at.toISOString()).toBe('2027-03-28T07:00:00.000Z');
    // Clocks go back in New York on 2027-11-07: 01:30 happens twice; the first is taken.
    const twice = resolveLocalTime('2027-11-07', '01:30', 'America/New_York');
    expect(twice.ok && twice.at.toISOString()).toBe('2027-11-07T05:30:00.000Z');
    expect(resolveLocalTime('2027-03-14', '02:15', 'America/New_York').ok).toBe(false);
  });

  it('stores the instant the requester meant, in their own zone from Slack', async () => {
    const tokyo = await openDraft(t, EDITOR);
    await until(async () => String(currentView(t, tokyo.id).view.private_metadata).includes(`"${TT}":{`));
    expect(JSON.stringify(currentView(t, tokyo.id).view)).toContain('Asia/Tokyo');
    const answer = await submitView(t, currentView(t, tokyo.id), EDITOR, {
      ...form(),
      date: input.date('2027-03-28'),
      time: input.time('09:00'),
    });
    expect(answer.body).toEqual({});
    const post = await until(() => t.app.services.posts.collection.findOne({ requestedBy: EDITOR }));
    expect(post.dueAt?.toISOString()).toBe('2027-03-28T00:00:00.000Z');
    expect(post.requesterTimezone).toBe('Asia/Tokyo');
  });
});
