import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount } from '../harness/account-fixtures.ts';
import { answersTo, click, commandAnswer, textOf } from '../harness/slack-answers.ts';
import { ADMIN, APPROVER, EDITOR, startTestApp, type TestApp, woneCommand } from '../harness/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EDITOR_USER_IDS: `${EDITOR},UOTHEREDITOR` });
  t.slack.addUser({ id: 'UNOROLE', name: 'nora' });
  await seedAccount(t.app.services, { _id: 'facebook:777', name: 'Matrix Page' });
});
afterAll(async () => t?.stop());

/** What each role may run: `true` = served, `false` = refused with the role it needs. */
const matrix: Record<string, Record<string, boolean>> = {
  accounts: { [ADMIN]: true, [APPROVER]: true, [EDITOR]: true, UNOROLE: false },
  connect: { [ADMIN]: true, [APPROVER]: false, [EDITOR]: false, UNOROLE: false },
  'disconnect facebook:777': { [ADMIN]: true, [APPROVER]: false, [EDITOR]: false, UNOROLE: false },
  'delete-data facebook:777': { [ADMIN]: true, [APPROVER]: false, [EDITOR]: false, UNOROLE: false },
  audit: { [ADMIN]: true, [APPROVER]: false, [EDITOR]: false, UNOROLE: false },
};

describe('the permission matrix, through signed slash commands', () => {
  for (const [text, allowed] of Object.entries(matrix)) {
    for (const [user, served] of Object.entries(allowed)) {
      it(`/wone ${text} as ${user}: ${served ? 'served' : 'refused'}`, async () => {
        const answer = textOf(await commandAnswer(t, user, text));
        if (served) {
          expect(answer).not.toContain('can use');
        } else {
          expect(answer).toMatch(/Only (admins|editors) can use/);
          const denied = await t.app.services.audit.recent(5);
          expect(denied.some((entry) => entry.actor === user && entry.action === 'role_denied')).toBe(true);
        }
      });
    }
  }

  it('an outsider from another workspace is refused every one of them before any handler runs', async () => {
    for (const text of Object.keys(matrix)) {
      const before = t.slack.responses.length;
      const response = await t.signer.command(woneCommand(t.slack, 'UOUTSIDER', text, { team_id: 'T0OTHER' }));
      expect(JSON.stringify(response.json())).toContain('only inside the Wone Commerce workspace');
      expect(t.slack.responses.length).toBe(before);
    }
    expect((await t.app.services.accounts.get('facebook:777'))?.status).toBe('ok');
  });

  it('the served answers say what they are', async () => {
    expect(textOf(await commandAnswer(t, EDITOR, 'accounts'))).toContain('Matrix Page');
    expect(textOf(await commandAnswer(t, ADMIN, 'audit'))).toContain('role_denied');
    const confirm = textOf(await commandAnswer(t, ADMIN, 'disconnect Matrix Page'));
    expect(confirm).toContain('disconnect_account');
    expect(textOf(await commandAnswer(t, ADMIN, 'delete-data @matrix page'))).toContain('delete_account_data');
  });
});

describe('the permission matrix, through the buttons', () => {
  it('reconnect_account (a connect link) is refused to approvers and editors', async () => {
    for (const user of [APPROVER, EDITOR]) {
      const { responseUrl } = await click(t, user, 'reconnect_account', 'facebook:777');
      expect(textOf(await t.slack.waitFor(() => answersTo(t, responseUrl)[0]))).toContain('Only admins can do that');
    }
    const states = await t.app.services.db.collection('oauth_states').countDocuments();
    expect(states).toBe(0);
  });

  for (const actionId of ['disconnect_account', 'delete_account_data']) {
    it(`${actionId} clicked by an approver, an editor or an outsider changes nothing`, async () => {
      for (const [user, team] of [
        [APPROVER, 'T0WONE'],
        [EDITOR, 'T0WONE'],
        ['UOUTSIDER', 'T0OTHER'],
      ] as const) {
        const { status, responseUrl } = await click(t, user, actionId, 'facebook:777', team);
        expect(status).toBe(200);
        const answer = await t.slack.waitFor(() => answersTo(t, responseUrl)[0]);
        expect(textOf(answer)).toMatch(/Only admins can do that|only inside the Wone Commerce workspace/);
      }
      const account = await t.app.services.accounts.get('facebook:777');
      expect(account?.status).toBe('ok');
      await expect(t.app.services.accounts.access('facebook:777')).resolves.toBeTruthy();
      const entries = await t.app.services.audit.recent(50);
      expect(
        entries.filter((e) => e.action === 'role_denied' && e.subject === 'account:facebook:777').length,
      ).toBeGreaterThanOrEqual(2);
    });
  }
});
