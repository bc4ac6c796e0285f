import { describe, expect, it } from 'vitest';
import { messageProblems } from '../../src/sandbox/block-kit-rules.ts';
import type { PendingConnectionDoc } from '../../src/services/account-connect.ts';
import type { AccountSummary } from '../../src/services/accounts.ts';
import { accountsMessage } from '../../views/accounts-message.ts';
import { auditMessage } from '../../views/audit-message.ts';
import { chooseAccountsMessage } from '../../views/choose-accounts-message.ts';
import { privacyPage } from '../../views/html/privacy-page.ts';

const account = (n: number, over: Partial<AccountSummary> = {}): AccountSummary => ({
  _id: `tiktok:open-${n}`,
  platform: 'tiktok',
  login: 'tiktok',
  externalId: `open-${n}`,
  name: `<b>@wone_${n}</b> & co`,
  status: 'ok',
  scopes: ['user.info.basic', 'video.publish'],
  connectedBy: 'UADMIN',
  connectedAt: new Date(),
  ...over,
});

describe('account views stay within Slack limits', () => {
  it('lists many accounts within 50 blocks, escaping names from the platforms', () => {
    const message = accountsMessage(Array.from({ length: 40 }, (_, n) => account(n)));
    expect(messageProblems(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks)).toContain('&lt;b&gt;@wone\u200B_\u200B0&lt;/b&gt; &amp; co');
    expect(JSON.stringify(message.blocks)).toContain('more not shown');
  });

  it('offers up to 30 accounts to choose from in groups of at most 10 checkboxes', () => {
    const pending = {
      _id: 'p1',
      slackUserId: 'UADMIN',
      flow: 'facebook',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 1_800_000),
      candidates: Array.from({ length: 30 }, (_, n) => ({
        accountId: `facebook:${n}`,
        platform: 'facebook',
        login: 'facebook',
        externalId: String(n),
        name: `Page ${n} ${'x'.repeat(100)}`,
        describe: 'Facebook Page',
        scopes: [],
        token: { keyId: 'k', iv: 'i', tag: 't', data: 'd' },
        alreadyConnected: n === 0,
      })),
    } satisfies PendingConnectionDoc;
    const message = chooseAccountsMessage(pending);
    expect(messageProblems(message)).toEqual([]);
    expect(JSON.stringify(message)).not.toContain('"data":"d"');
  });

  it('renders a long audit log within the limits', () => {
    const entries = Array.from({ length: 30 }, (_, n) => ({
      at: new Date(),
      actor: n % 2 ? 'UADMIN' : 'meta',
      action: 'role_denied',
      subject: `command:${'y'.repeat(200)}`,
      details: { permission: 'audit' },
    }));
    expect(messageProblems(auditMessage(entries))).toEqual([]);
  });

  it('renders the privacy policy text with headings and lists, escaping HTML', () => {
    const html = privacyPage(
      'Title\nLast updated: today\nSection <one>\nA paragraph, with a <tag>.\n- item one\n- item two\n',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<h2>Section &#60;one&#62;</h2>');
    expect(html).toContain('<ul>\n<li>item one</li>\n<li>item two</li>\n</ul>');
    expect(html).not.toContain('<tag>');
  });
});
