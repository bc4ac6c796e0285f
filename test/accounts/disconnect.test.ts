import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, seedQueuedPost } from '../harness/account-fixtures.ts';
import { answersTo, click, commandAnswer, textOf } from '../harness/slack-answers.ts';
import { ADMIN, startTestApp, type TestApp } from '../harness/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  t.slack.addUser({ id: 'UREQUESTER', name: 'rita' });
});
afterAll(async () => t?.stop());

describe('/wone disconnect', () => {
  it('asks first; on confirmation removes the token fields, holds pending posts and tells their requesters', async () => {
    const { accessToken } = await seedAccount(t.app.services, { _id: 'facebook:501', name: 'Wone Outlet' });
    const other = await seedAccount(t.app.services, { _id: 'facebook:502', name: 'Wone Other' });
    await seedQueuedPost(t.app.services, 'facebook:501', 'post-a', 'UREQUESTER');
    await seedQueuedPost(t.app.services, 'facebook:502', 'post-b', 'UREQUESTER');

    const confirm = textOf(await commandAnswer(t, ADMIN, 'disconnect wone outlet'));
    expect(confirm).toContain('disconnect_account');
    // Asking changed nothing yet.
    expect((await t.app.services.accounts.get('facebook:501'))?.status).toBe('ok');

    const { responseUrl } = await click(t, ADMIN, 'disconnect_account', 'facebook:501');
    const done = await t.slack.waitFor(() => answersTo(t, responseUrl)[0]);
    expect(textOf(done)).toContain('Disconnected *Wone Outlet*');
    expect(textOf(done)).toContain('1 pending post(s) are on hold');

    const raw = await t.app.services.db.collection('accounts').findOne({ _id: 'facebook:501' as never });
    expect(raw).not.toBeNull();
    expect(raw).not.toHaveProperty('token');
    expect(raw).not.toHaveProperty('refreshToken');
    expect(raw?.status).toBe('disconnected');
    expect(JSON.stringify(raw)).not.toContain(accessToken);
    await expect(t.app.services.accounts.access('facebook:501')).rejects.toMatchObject({
      code: 'account_not_connected',
    });

    const targets = t.app.services.db.collection('targets');
    expect((await targets.findOne({ _id: 'post-a:facebook:501' as never }))?.state).toBe('held');
    expect((await targets.findOne({ _id: 'post-b:facebook:502' as never }))?.state).toBe('queued');
    expect((await t.app.services.accounts.access(other._id)).accessToken).toBe(other.accessToken);

    const told = await t.slack.waitFor(() =>
      t.slack.callsOf('chat.postMessage').find((m) => m.channel === 'UREQUESTER'),
    );
    expect(String(told.text)).toContain('Wone Outlet');
    expect(String(told.text)).toContain('Caption of post-a');

    const audit = await t.app.services.audit.recent(5);
    expect(audit.find((e) => e.action === 'disconnect')).toMatchObject({
      actor: ADMIN,
      subject: 'account:facebook:501',
    });
    expect(JSON.stringify(audit)).not.toContain(accessToken);
    expect(t.logs()).not.toContain(accessToken);
  });

  it('two confirmations at once disconnect once; the list then shows the account disconnected', async () => {
    await seedAccount(t.app.services, { _id: 'instagram:601', name: 'wone.style' });
    const clicks = await Promise.all([
      click(t, ADMIN, 'disconnect_account', 'instagram:601'),
      click(t, ADMIN, 'disconnect_account', 'instagram:601'),
    ]);
    const answers = await Promise.all(
      clicks.map(({ responseUrl }) => t.slack.waitFor(() => answersTo(t, responseUrl)[0]).then(textOf)),
    );
    expect(answers.filter((answer) => answer.includes('Disconnected *wone.style*'))).toHaveLength(1);
    // Instagram Login has no documented revocation: the admin is told where the owner removes the app.
    expect(answers.find((answer) => answer.includes('Disconnected'))).toContain('Settings → Apps and websites');
    expect(answers.filter((answer) => answer.includes('not connected'))).toHaveLength(1);
    const audit = await t.app.services.audit.recent(20);
    expect(audit.filter((e) => e.action === 'disconnect' && e.subject === 'account:instagram:601')).toHaveLength(1);
    const list = textOf(await commandAnswer(t, ADMIN, 'accounts'));
    expect(list).toContain('wone.style');
    expect(list).toContain('Disconnected (no token kept)');
    expect(textOf(await commandAnswer(t, ADMIN, 'disconnect instagram:601'))).toContain('already disconnected');
  });

  it('explains an unknown or ambiguous account name', async () => {
    expect(textOf(await commandAnswer(t, ADMIN, 'disconnect nosuch'))).toContain('No account matches');
    expect(textOf(await commandAnswer(t, ADMIN, 'disconnect'))).toContain('Name the account');
    await seedAccount(t.app.services, { _id: 'facebook:701', name: 'Twin' });
    await seedAccount(t.app.services, { _id: 'instagram:702', name: 'twin' });
    const ambiguous = textOf(await commandAnswer(t, ADMIN, 'disconnect twin'));
    expect(ambiguous).toContain('matches several accounts');
    expect(textOf(await commandAnswer(t, ADMIN, 'disconnect instagram:twin'))).toContain('disconnect_account');
  });
});

describe('/wone delete-data', () => {
  it('on confirmation deletes the account and the data tied to it, with a confirmation code and status page', async () => {
    const { accessToken } = await seedAccount(t.app.services, { _id: 'facebook:801', name: 'Wone Gone' });
    await seedQueuedPost(t.app.services, 'facebook:801', 'post-c', 'UREQUESTER');
    const db = t.app.services.db;
    await db.collection('comments').insertMany([
      { accountId: 'facebook:801', text: 'hi' },
      { accountId: 'facebook:9', text: 'keep' },
    ]);
    expect(textOf(await commandAnswer(t, ADMIN, 'delete-data Wone Gone'))).toContain('delete_account_data');

    const { responseUrl } = await click(t, ADMIN, 'delete_account_data', 'facebook:801');
    const done = textOf(await t.slack.waitFor(() => answersTo(t, responseUrl)[0]));
    const code = /Confirmation code `([A-Z0-9]+)`/.exec(done)?.[1];
    expect(code).toBeTruthy();
    expect(await db.collection('accounts').findOne({ _id: 'facebook:801' as never })).toBeNull();
    expect(await db.collection('comments').countDocuments({ accountId: 'facebook:801' })).toBe(0);
    expect(await db.collection('comments').countDocuments({ accountId: 'facebook:9' })).toBe(1);
    expect((await db.collection('targets').findOne({ _id: 'post-c:facebook:801' as never }))?.state).toBe('held');

    const page = await fetch(`${t.url}/data-deletion/status?code=${code}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('completed');
    expect(html).toContain('Wone Gone');
    expect(t.logs()).not.toContain(accessToken);
  });
});
