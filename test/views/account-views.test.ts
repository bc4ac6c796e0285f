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

  it('says in words what each account can do, by handle, with no internal ids or raw permission names', () => {
    const message = accountsMessage([
      account(1, {
        _id: 'facebook:1001',
        platform: 'facebook',
        login: 'facebook',
        name: 'Wone Commerce',
        scopes: ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement', 'read_insights'],
        liveComments: true,
      }),
      account(2, {
        _id: 'instagram:1784',
        platform: 'instagram',
        login: 'instagram',
        name: 'wone.shop',
        scopes: ['instagram_business_basic', 'instagram_business_content_publish'],
        status: 'reconnect_needed',
        lastHealthProblem: 'Instagram refused the login',
      }),
      account(3, {
        name: 'wone_tt',
        scopes: ['user.info.basic', 'video.upload'],
        business: { status: 'ok', businessId: 'b1', scopes: [], connectedBy: 'UADMIN', connectedAt: new Date() },
      }),
      account(4, {
        _id: 'instagram:99',
        platform: 'instagram',
        login: 'facebook',
        name: 'old.one',
        status: 'disconnected',
        scopes: [],
      }),
    ]);
    expect(messageProblems(message)).toEqual([]);
    const shown = JSON.stringify(message.blocks);
    const sections = message.blocks
      .filter((b) => b.type === 'section')
      .map((b) => (b.type === 'section' ? (b.text?.text ?? '') : ''));
    expect(sections[0]).toContain('*Wone Commerce*  ·  Facebook Page');
    expect(sections[0]).toContain(':white_check_mark: Connected');
    expect(sections[0]).toContain(':rocket: Publishes posts');
    expect(sections[0]).toContain(':speech_balloon: Comments arrive live');
    expect(sections[0]).toContain(':bar_chart: Insights are read for reports');
    expect(sections[1]).toContain('*@wone.shop*  ·  Instagram, through Instagram Login');
    expect(sections[1]).toContain(':warning: Needs reconnecting: Instagram refused the login');
    expect(sections[1]).toContain('Comments are not read: reconnect it and allow it');
    expect(sections[1]).toContain('No insights');
    expect(sections[2]).toContain('*@wone\u200B_\u200Btt*  ·  TikTok');
    expect(sections[2]).toContain('Sends videos to the TikTok inbox');
    expect(sections[2]).toContain('Comments are checked every few minutes (not live)');
    expect(sections.find((text) => text.includes('old.one'))).toContain('Disconnected (no token kept)');
    // People read words: no internal ids or raw permission names, and only emoji Slack and the sandbox render.
    expect(shown).not.toMatch(
      /`facebook:1001`|`instagram:1784`|pages_manage_posts|instagram_business_basic|video\.upload/,
    );
    expect(shown).not.toContain(':large_green_circle:');
    expect(shown).not.toContain(':white_circle:');
    // The Reconnect buttons still carry the id, where nobody reads it.
    expect(shown).toContain('"value":"facebook:1001"');
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
