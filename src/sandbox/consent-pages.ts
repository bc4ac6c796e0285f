import { FakeHttpServer, type FakeReply, type FakeRequest } from './fake-http-server.ts';
import type { GraphFake } from './graph-fake.ts';
import { escapeHtml } from './mrkdwn-html.ts';
import type { TikTokFake } from './tiktok-fake.ts';

/** Who logs in on the simulated consent pages, and what they can grant. */
export interface ConsentPeople {
  /** The Facebook user of the Facebook Login dialog, and the Pages they manage (all ticked at first). */
  facebook: { userId: string; name: string; pages: { id: string; name: string }[] };
  /** The Instagram professional account that logs in on Instagram's authorize page. */
  instagram: { igUserId: string; username: string };
  /** The TikTok account that logs in on TikTok's authorization page (Login Kit and API for Business). */
  tiktok: { openId: string; username: string };
}

/** The query fields the pages add for the person's answer; everything else is the platform's own query. */
const answerField = 'sandbox_answer';
const pageFieldPrefix = 'sandbox_page_';

/**
 * The pages a person sees when the app sends them to log in, as served by `www.facebook.com`, `www.instagram.com` and
 * `www.tiktok.com`, on loopback (`META_LOGIN_URL`, `INSTAGRAM_LOGIN_URL`, `TIKTOK_LOGIN_URL` in the sandbox). Each page
 * shows the app's request and the sandbox person's choices; "Allow" or "Cancel" goes through the simulator's own
 * consent check (client id, scopes, redirect) and redirects back to the app as the platform would, with a code or an
 * error. A URL the platform would refuse gets an error page, never a redirect.
 */
export class ConsentPages {
  readonly http = new FakeHttpServer();

  constructor(
    private readonly graph: GraphFake,
    private readonly tiktok: TikTokFake,
    private readonly people: ConsentPeople,
  ) {
    this.http.route('GET', '/facebook/:version/dialog/oauth', (req) => this.facebook(req));
    this.http.route('GET', '/instagram/oauth/authorize', (req) => this.instagram(req));
    this.http.route('GET', '/tiktok/v2/auth/authorize', (req) => this.tiktokPage(req));
  }

  /** `META_LOGIN_URL` for the app. */
  get facebookUrl(): string {
    return `${this.http.url}/facebook`;
  }

  /** `INSTAGRAM_LOGIN_URL` for the app. */
  get instagramUrl(): string {
    return `${this.http.url}/instagram`;
  }

  /** `TIKTOK_LOGIN_URL` for the app. */
  get tiktokUrl(): string {
    return `${this.http.url}/tiktok`;
  }

  start(): Promise<string> {
    return this.http.start();
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private facebook(req: FakeRequest): FakeReply {
    const { facebook } = this.people;
    const url = platformUrl(req, 'https://www.facebook.com', '/facebook');
    return this.answer(req, url, {
      platform: 'Facebook',
      who: facebook.name,
      scopes: url.searchParams.get('scope')?.split(',') ?? ['(the permissions of the app’s login configuration)'],
      choices: facebook.pages.map((page) => ({ field: `${pageFieldPrefix}${page.id}`, label: page.name })),
      choicesTitle: 'Which Pages may Wone Social use?',
      consent: (deny) => {
        const pageIds = facebook.pages.filter((page) => req.query[`${pageFieldPrefix}${page.id}`] === 'on');
        return this.graph.consentFacebook(url.toString(), {
          userId: facebook.userId,
          pageIds: pageIds.map((page) => page.id),
          deny,
        });
      },
    });
  }

  private instagram(req: FakeRequest): FakeReply {
    const url = platformUrl(req, 'https://www.instagram.com', '/instagram');
    return this.answer(req, url, {
      platform: 'Instagram',
      who: `@${this.people.instagram.username}`,
      scopes: url.searchParams.get('scope')?.split(',') ?? [],
      consent: (deny) =>
        this.graph.consentInstagram(url.toString(), { igUserId: this.people.instagram.igUserId, deny }),
    });
  }

  /** TikTok's one authorization page serves both apps: the Login Kit app and the API for Business app. */
  private tiktokPage(req: FakeRequest): FakeReply {
    const url = platformUrl(req, 'https://www.tiktok.com', '/tiktok');
    const business = url.searchParams.get('client_key') === this.tiktok.businessAppId;
    const as = { openId: this.people.tiktok.openId };
    return this.answer(req, url, {
      platform: business ? 'TikTok (API for Business)' : 'TikTok',
      who: `@${this.people.tiktok.username}`,
      scopes: url.searchParams.get('scope')?.split(',') ?? [],
      consent: (deny) =>
        business
          ? this.tiktok.businessConsent(url.toString(), { ...as, deny })
          : this.tiktok.consent(url.toString(), { ...as, deny }),
    });
  }

  /** The consent page, or, once the person answered, the platform's redirect back to the app. */
  private answer(
    req: FakeRequest,
    url: URL,
    page: {
      platform: string;
      who: string;
      scopes: string[];
      choices?: { field: string; label: string }[];
      choicesTitle?: string;
      consent: (deny: boolean) => string;
    },
  ): FakeReply {
    const answer = req.query[answerField];
    if (answer === 'allow' || answer === 'cancel') {
      let location: string;
      try {
        location = page.consent(answer === 'cancel');
      } catch (error) {
        return html(400, `${page.platform} (simulated)`, `<p>${escapeHtml((error as Error).message)}</p>`);
      }
      return { status: 302, headers: { location, 'cache-control': 'no-store' }, text: '' };
    }
    const hidden = [...url.searchParams]
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    const choices = page.choices?.length
      ? `<fieldset><legend>${escapeHtml(page.choicesTitle ?? '')}</legend>${page.choices
          .map(
            (choice) =>
              `<label><input type="checkbox" name="${escapeHtml(choice.field)}" checked> ${escapeHtml(choice.label)}</label>`,
          )
          .join('')}</fieldset>`
      : '';
    const body =
      `<p class="who">Logged in as <b>${escapeHtml(page.who)}</b></p>` +
      `<p><b>Wone Social</b> is asking to:</p><ul>${page.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('')}</ul>` +
      `<form method="get">${hidden}${choices}` +
      `<div class="actions"><button type="submit" name="${answerField}" value="cancel">Cancel</button>` +
      `<button type="submit" name="${answerField}" value="allow" class="allow">Allow</button></div></form>` +
      '<p class="note">A simulated page: nothing here reaches the real platform.</p>';
    return html(200, `${page.platform} (simulated)`, body);
  }
}

/** The URL the platform would have been sent: the request's path under the real host, without the page's own fields. */
function platformUrl(req: FakeRequest, origin: string, prefix: string): URL {
  const url = new URL(req.path.slice(prefix.length), origin);
  for (const [name, value] of Object.entries(req.query)) {
    if (name === answerField || name.startsWith(pageFieldPrefix)) continue;
    url.searchParams.set(name, value);
  }
  if (!url.pathname.endsWith('/') && origin.includes('tiktok')) url.pathname += '/';
  return url;
}

function html(status: number, title: string, body: string): FakeReply {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
      'cache-control': 'no-store',
    },
    text:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>` +
      'body{font-family:system-ui,sans-serif;max-width:440px;margin:48px auto;padding:24px;border:1px solid #ddd;border-radius:12px}' +
      'h1{font-size:20px}fieldset{border:1px solid #ddd;border-radius:8px;margin:12px 0}label{display:block;margin:6px 0}' +
      '.actions{display:flex;gap:8px;justify-content:flex-end;margin-top:16px}button{padding:8px 16px;border-radius:6px;border:1px solid #bbb;background:#fff}' +
      '.allow{background:#1877f2;color:#fff;border-color:#1877f2}.note{color:#777;font-size:12px}</style></head>' +
      `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}
