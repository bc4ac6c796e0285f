// API economy: how many platform calls Wone Social makes per published post (each post type on each platform), per
// comment-polling cycle per account and per weekly digest per account, beside the fewest calls the platform's API
// needs. The app runs as production runs it (its Agenda publish jobs, its services, its platform clients) against the
// Graph and TikTok simulators in `src/sandbox/`, which record every request; nothing is estimated.
//
// Minimums, from the platform contracts in the reference (section numbers of `platforms.md`):
//
// | operation                        | min | why                                                                                   |
// | -------------------------------- | --: | ------------------------------------------------------------------------------------- |
// | Instagram image (feed or story)  |   2 | A.2 create the container, A.4 `media_publish`. An image container that is ready needs  |
// |                                  |     | no status read (A.3: publishing before FINISHED answers 9007, so a read is only owed   |
// |                                  |     | when the container is not ready).                                                      |
// | Instagram carousel of n images   | n+2 | A.2: one container per child (`is_carousel_item`), one CAROUSEL container naming them, |
// |                                  |     | then A.4 `media_publish` (the carousel counts as one post).                            |
// | Instagram reel (or story video)  |   3 | A.2 create, A.3 at least one status read (a video is processed; publishing before      |
// |                                  |     | FINISHED is refused with 9007), A.4 publish. Each further read is owed to processing   |
// |                                  |     | time (A.3 says poll "once per minute, for no more than 5 minutes").                    |
// | Facebook text or link            |   1 | B.1 `POST /{page-id}/feed`; `fields=id,permalink_url` returns the link with the post.  |
// | Facebook one photo               |   1 | B.1 `POST /{page-id}/photos` answers `{id, post_id}`; B.1 gives the permalink as       |
// |                                  |     | `https://www.facebook.com/{page_post_id}`, so no read is owed.                         |
// | Facebook n photos                | n+1 | B.1: n unpublished `POST /{page-id}/photos` (`published=false`), then one              |
// |                                  |     | `POST /{page-id}/feed` with `attached_media` (and `fields=id,permalink_url`).          |
// | Facebook video                   |   1 | B.1 `POST /{page-id}/videos` with `file_url`; it answers the video id only.            |
// | TikTok video, PULL_FROM_URL      |   2 | G.3 init, then at least one `status/fetch` (the post id and outcome come only from     |
// |                                  |     | the status, or from webhooks, which a Slack-side app without a public TikTok webhook   |
// |                                  |     | does not use). `creator_info` is not required by init, which checks `privacy_level`    |
// |                                  |     | itself (403 privacy_level_option_mismatch).                                            |
// | TikTok video, FILE_UPLOAD        | 2+c | As above plus c `PUT`s; c is at least 1 up to 64 MB (G.3: a chunk is 5–64 MB, the last  |
// |                                  |     | up to 128 MB; under 5 MB one chunk).                                                   |
// | TikTok photo (PULL_FROM_URL)     |   2 | G.3 `content/init`, one `status/fetch`.                                                |
// | TikTok video to the inbox        | 2+c | G.3 `inbox/video/init`, c `PUT`s, one `status/fetch` (SEND_TO_USER_INBOX).              |
// | Comments, Instagram account      |   1 | A.6 `GET /{ig-media-id}/comments` is per media; one read of `/{ig-user-id}/media` with  |
// |                                  |     | `comments{…}` expanded covers the recent media in one call (Graph field expansion:     |
// |                                  |     | the Graph API docs, not in the reference).                                           |
// | Comments, Facebook Page          |   1 | B.2 `GET /{page-post-id}/comments` per post; one read of the Page's posts with      |
// |                                  |     | `comments{…}` expanded covers its recent posts in one call.                          |
// | Comments, TikTok, n videos       |   n | G.5 `business/comment/list` takes one `video_id`; there is no multi-video read.        |
// | Digest, Instagram or Facebook    |   1 | A.7 / B.3: n post reads and the account reads. A Graph batch request carries up to 50  |
// |                                  |     | reads in one HTTP call (Graph API docs, not in the reference, which lists only async   |
// |                                  |     | batch as removed), so one call while n + the account reads ≤ 50; every read in it      |
// |                                  |     | still counts against the rate limits (0.4), and those reads are not fewer than n + 3.  |
// | Digest, TikTok, n ≤ 20 posts     |   2 | G.5 `business/video/list` with `filters.video_ids` (≤ 20 a call) and `business/get`     |
// |                                  |     | with the daily metrics (1 with no posts).                                            |
// | Results checkpoint run, IG or FB |   1 | A.7 / B.3: the n posts due at a checkpoint (24 h or 7 days after publishing) are n  |
// |                                  |     | reads in one Graph batch (≤ 50 a call); the usual figures come from the checkpoints   |
// |                                  |     | stored before, so no read is owed for them. A run with nothing due owes no call.      |
// | Results checkpoint run, TikTok   |   1 | G.5 `business/video/list` with `filters.video_ids` (≤ 20 a call).                     |
// | first digest of an account       |  +0 | the week before has not been measured yet, but one account read over both weeks (or    |
// |                                  |     | one more read in the same batch) carries it: no call is owed for it.                 |
//
// `npx tsx bench/api-economy.ts` (or `npm run bench`). Prints markdown tables.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { startFromEnvironment } from '../src/app.ts';
import { startEmbeddedDatabase } from '../src/db/embedded-ferretdb.ts';
import { createLogger } from '../src/logger.ts';
import { MB, planChunks } from '../src/platforms/tiktok-chunks.ts';
import type { PostType } from '../src/platforms/types.ts';
import type { FakeRequest } from '../src/sandbox/fake-http-server.ts';
import { FakeSlack } from '../src/sandbox/fake-slack.ts';
import { GraphFake } from '../src/sandbox/graph-fake.ts';
import { TikTokFake } from '../src/sandbox/tiktok-fake.ts';
import type { DraftContent } from '../src/services/posts.ts';
import { instagramTokenByConsent, pageTokenByConsent } from '../test/harness/meta-consent.ts';
import { jpegBytes, mp4Bytes } from '../test/posts/media-fixtures.ts';

const TEAM = 'T0WONE';
const ZONE = 'Europe/Berlin';
const EDITOR = 'UEDITOR';
const APPROVER = 'UAPPROVER';
const IG_ID = '17841400000000001';
const PAGE_ID = '100200300400500';
const OPEN_ID = 'tt-open-1';
const IG = `instagram:${IG_ID}`;
const FB = `facebook:${PAGE_ID}`;
const TT = `tiktok:${OPEN_ID}`;
const UPLOAD_BYTES = Math.floor(Number(process.env.BENCH_UPLOAD_MB ?? 25) * MB);

// ---------------------------------------------------------------------------------------------------- the rig

const dataDir = mkdtempSync(join(tmpdir(), 'wone-bench-economy-'));
const database = await startEmbeddedDatabase({ dataDir });
// Video containers are ready at the first status read: the count is the fewest reads the client makes for a video.
const graph = new GraphFake({ startAt: Date.now(), videoProcessingMs: 0 });
const { facebookUrl, instagramUrl } = await graph.start();
const tiktok = new TikTokFake();
await tiktok.start();
tiktok.rateLimits = false;
tiktok.verifiedUrlPrefixes = ['https://wone.example.com/media/'];
const slack = new FakeSlack('xoxb-bench', TEAM);
await slack.start();
slack.addUser({ id: EDITOR, name: 'eddie', tz: ZONE });
slack.addUser({ id: APPROVER, name: 'april', tz: ZONE });

const app = await startFromEnvironment(
  {
    ...process.env,
    PORT: '0',
    SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    SLACK_TEAM_ID: TEAM,
    MONGODB_URL: `${database.url}economy`,
    PUBLIC_BASE_URL: 'https://wone.example.com',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    APPROVAL_CHANNEL_ID: 'C0APPROVAL',
    COMMENTS_CHANNEL_ID: 'C0COMMENTS',
    DIGEST_CHANNEL_ID: 'C0DIGEST',
    ADMIN_USER_IDS: 'UADMIN',
    APPROVER_USER_IDS: APPROVER,
    TEAM_TIMEZONE: ZONE,
    // The recurring poll must not run while calls are counted; the bench runs the cycles itself.
    COMMENT_POLL_MINUTES: '60',
    META_APP_ID: graph.appId,
    META_APP_SECRET: graph.appSecret,
    META_GRAPH_URL: facebookUrl,
    INSTAGRAM_GRAPH_URL: instagramUrl,
    META_GRAPH_VERSION: 'v25.0',
    TIKTOK_CLIENT_KEY: tiktok.clientKey,
    TIKTOK_CLIENT_SECRET: tiktok.clientSecret,
    TIKTOK_API_URL: tiktok.url,
    TIKTOK_BUSINESS_API_URL: tiktok.url,
    LOG_LEVEL: 'warn',
  },
  {
    logger: createLogger('warn', new Writable({ write: (_chunk, _encoding, done) => done() })),
    jobPollInterval: 200,
  },
);
const { services } = app;

graph.seedInstagramAccount({ id: IG_ID, username: 'wone.commerce' });
graph.seedPage({ id: PAGE_ID, name: 'Wone Commerce' });
// TikTok answers the final status at the first fetch: the count is the fewest fetches the client makes.
tiktok.seedAccount({
  openId: OPEN_ID,
  username: 'wonecommerce',
  outcome: { result: 'complete', processingPolls: 0, postIdLagPolls: 0 },
});
const common = { status: 'ok' as const, connectedBy: 'UADMIN', connectedAt: new Date(), scopes: [] };
await services.accounts.save({
  _id: IG,
  platform: 'instagram',
  login: 'instagram',
  externalId: IG_ID,
  name: '@wone.commerce',
  accessToken: await instagramTokenByConsent(graph, IG_ID),
  ...common,
});
await services.accounts.save({
  _id: FB,
  platform: 'facebook',
  login: 'facebook',
  externalId: PAGE_ID,
  name: 'Wone Commerce',
  accessToken: await pageTokenByConsent(graph, PAGE_ID),
  ...common,
});
await services.accounts.save({
  _id: TT,
  platform: 'tiktok',
  login: 'tiktok',
  externalId: OPEN_ID,
  name: '@wonecommerce',
  businessApi: true,
  accessToken: tiktok.issueTokens(OPEN_ID).accessToken,
  ...common,
});

/** Everything measured and printed; the rig is taken down after it, whether it succeeds or not. */
async function measureAndReport(): Promise<void> {
  // ---------------------------------------------------------------------------------------------------- counting

  type Host = 'instagram' | 'facebook' | 'tiktok';
  const logs: Record<Host, () => FakeRequest[]> = {
    instagram: () => graph.instagram.calls,
    facebook: () => graph.facebook.calls,
    tiktok: () => tiktok.server.calls,
  };

  /** Every call the simulators receive while `work` runs, as `METHOD /path` with ids named, per host. */
  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; calls: Record<Host, string[]> }> {
    const marks = Object.fromEntries(Object.entries(logs).map(([host, log]) => [host, log().length]));
    const result = await work();
    const calls = Object.fromEntries(
      (Object.keys(logs) as Host[]).map((host) => [host, logs[host]().slice(marks[host]).map(describeCall)]),
    ) as Record<Host, string[]>;
    return { result, calls };
  }

  /** `GET /{ig-user-id}/media` style: the path with ids replaced by what they are, and the batch size of a batch. */
  function describeCall(call: FakeRequest): string {
    let path = call.path.replace(/^\/v\d+\.\d+/, '');
    path = path
      .replace(IG_ID, '{ig-user-id}')
      .replace(new RegExp(`${PAGE_ID}_\\d+`), '{post-id}')
      .replace(PAGE_ID, '{page-id}')
      .replace(/^\/open_api\/v1\.3/, '')
      .replace(/^\/upload\/.*/, '/upload (chunk)')
      .replace(/\/\d{6,}(?=\/|$)/g, '/{id}');
    const body = call.body as Record<string, unknown> | undefined;
    if (path === '/' && call.method === 'POST' && typeof body?.batch === 'string') {
      const reads = (JSON.parse(body.batch) as unknown[]).length;
      return `POST / (batch of ${reads})`;
    }
    return `${call.method} ${path || '/'}`;
  }

  /** `a, b ×3, c`: repeated neighbours folded. */
  function summarise(calls: string[]): string {
    const parts: string[] = [];
    for (let i = 0; i < calls.length; ) {
      let j = i;
      while (calls[j + 1] === calls[i]) j += 1;
      const times = j - i + 1;
      parts.push(`\`${calls[i]}\`${times > 1 ? ` ×${times}` : ''}`);
      i = j + 1;
    }
    return parts.join(', ');
  }

  // ---------------------------------------------------------------------------------------------------- publishing

  const untouched: DraftContent['tiktok'] = {
    privacy: {},
    allowComment: false,
    allowDuet: false,
    allowStitch: false,
    brandOrganic: false,
    brandContent: false,
  };
  let fileSequence = 0;

  /** A file as a `file_input` upload leaves it in Slack. */
  function slackFile(name: string, type: string, bytes: Uint8Array) {
    fileSequence += 1;
    const file = slack.addFile(`FBENCH${fileSequence}`, name, type, bytes);
    return { id: file.id, name: file.name, mimetype: file.mimetype, size: file.size, url: file.url_private };
  }

  const jpeg = (name: string, width = 1080, height = 1080) =>
    slackFile(`${name}.jpg`, 'image/jpeg', jpegBytes(width, height));
  const mp4 = (name: string, seconds = 12) => slackFile(`${name}.mp4`, 'video/mp4', mp4Bytes(1080, 1920, seconds));

  /** An MP4 of `size` bytes (header as an encoder writes it, then an `mdat` of zeros), built without a large array. */
  function largeMp4(size: number): Buffer {
    const head = mp4Bytes(1080, 1920, 42, 0);
    const header = head.subarray(0, head.length - 8);
    const mdat = Buffer.alloc(size - header.length);
    mdat.writeUInt32BE(mdat.length, 0);
    mdat.write('mdat', 4, 'ascii');
    return Buffer.concat([header, mdat]);
  }

  /** A media link as the modal takes one for videos over Slack's 10 MB: served here, downloaded by the app. */
  async function mediaLink(name: string, bytes: Buffer): Promise<{ url: string; close: () => void }> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
      res.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/${name}`, close: () => server.close() };
  }

  /**
   * Drafts, prepares and approves a post "as soon as approved", as the modal and the approve click do, then waits for
   * its publish job. Calls made while the draft is prepared (TikTok's creator_info for the rule check) are counted
   * apart from the publish.
   */
  async function publishThroughApp(draft: Partial<DraftContent>, files: ReturnType<typeof slackFile>[]) {
    const id = await services.drafts.save({
      draft: {
        accountIds: [],
        postTypes: {},
        tiktokMode: 'direct',
        caption: '',
        mediaUrls: [],
        schedule: { kind: 'asap' },
        tiktok: untouched,
        ...draft,
      },
      files,
      timezone: ZONE,
      by: EDITOR,
    });
    const prepared = await counted(() => services.drafts.prepare(id));
    const pending = prepared.result;
    if (pending?.state !== 'pending_approval') {
      throw new Error(`draft not put up for approval: ${pending?.state}: ${pending?.decisions.at(-1)?.note}`);
    }
    const published = await counted(async () => {
      await services.approvals.approve(id, pending.revision, APPROVER);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const post = await services.posts.get(id);
        if (post && ['published', 'needs_attention'].includes(post.state)) return post;
        if (Date.now() > deadline) throw new Error(`post ${id} not published in time`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const targets = await services.targets.ofPost(id);
    if (published.result.state !== 'published') {
      throw new Error(`post ${id} ended ${published.result.state}: ${targets.map((t) => t.error).join('; ')}`);
    }
    return { prepare: prepared.calls, publish: published.calls, targets };
  }

  interface Row {
    platform: string;
    type: string;
    calls: string[];
    minimum: number;
    why: string;
  }
  const publishRows: Row[] = [];
  const draftNotes: string[] = [];

  async function measurePost(
    platform: Host,
    type: string,
    postType: PostType,
    draft: Partial<DraftContent>,
    files: ReturnType<typeof slackFile>[],
    minimum: number,
    why: string,
  ) {
    const account = platform === 'instagram' ? IG : platform === 'facebook' ? FB : TT;
    const platformKey = platform;
    const run = await publishThroughApp(
      { accountIds: [account], postTypes: { [platformKey]: postType }, ...draft },
      files,
    );
    const others = (Object.keys(logs) as Host[]).filter((host) => host !== platform && run.publish[host].length > 0);
    if (others.length > 0) throw new Error(`${type}: calls on ${others.join(', ')} too`);
    publishRows.push({ platform: label(platform), type, calls: run.publish[platform], minimum, why });
    if (run.prepare[platform].length > 0)
      draftNotes.push(`${label(platform)} ${type}: ${summarise(run.prepare[platform])}`);
  }

  function label(host: Host): string {
    return host === 'instagram' ? 'Instagram' : host === 'facebook' ? 'Facebook' : 'TikTok';
  }

  const limitAndLink =
    'the publishing-limit read stops a post before a container is made when the 24-h quota is used (A.5); the permalink read gives the link shown in Slack (`media_publish` answers the id only, A.4)';

  await measurePost(
    'instagram',
    'feed image',
    'instagram_feed',
    { caption: 'Autumn coat' },
    [jpeg('coat')],
    2,
    limitAndLink,
  );
  await measurePost(
    'instagram',
    'carousel of 3 images',
    'instagram_carousel',
    { caption: 'Three looks' },
    [jpeg('a'), jpeg('b'), jpeg('c')],
    5,
    limitAndLink,
  );
  await measurePost(
    'instagram',
    'reel',
    'instagram_reel',
    { caption: 'Workshop tour' },
    [mp4('tour')],
    3,
    `${limitAndLink}; one more status read per wait while the video is processed (at 3, 8, 18, 33 s…)`,
  );
  await measurePost('instagram', 'story (image)', 'instagram_story', {}, [jpeg('story', 1080, 1920)], 2, limitAndLink);
  await measurePost('facebook', 'text', 'facebook_text', { caption: 'New store opens Saturday' }, [], 1, '');
  await measurePost(
    'facebook',
    'link',
    'facebook_text',
    { caption: 'Our lookbook', link: 'https://wone.example.com/lookbook' },
    [],
    1,
    '',
  );
  await measurePost(
    'facebook',
    'photo',
    'facebook_photo',
    { caption: 'One photo' },
    [jpeg('photo')],
    1,
    "the permalink read gives the link shown in Slack. B.1 gives the link as `https://www.facebook.com/{page_post_id}`, so it could be built from the upload's `post_id`; kept: the read returns Facebook's canonical link",
  );
  await measurePost(
    'facebook',
    '3 photos',
    'facebook_photo',
    { caption: 'Three photos' },
    [jpeg('p1'), jpeg('p2'), jpeg('p3')],
    4,
    '',
  );
  await measurePost(
    'facebook',
    'video',
    'facebook_video',
    { caption: 'Behind the scenes' },
    [mp4('fbvideo')],
    1,
    'the `/videos` answer carries the video id only: its post (`post_id`, what comments and insights name) is read from the video, then the permalink shown in Slack',
  );

  // TikTok: the publisher sends videos from storage by FILE_UPLOAD and photos by PULL_FROM_URL; a video by
  // PULL_FROM_URL is what the client does for a URL TikTok may fetch, so it is driven through the app's own client.
  const creatorWhy =
    '`creator_info` is read just before init, as TikTok asks for every post: settings may have changed since approval, and a creator at the posting cap or barred is told there (HTTP 200 refusals) before anything is started';
  const chunkPlan = planChunks(UPLOAD_BYTES);
  const tiktokDirect = { tiktok: { ...untouched, privacy: { [TT]: 'PUBLIC_TO_EVERYONE' } } };
  {
    const client = services.platforms.tiktok;
    if (!client) throw new Error('TikTok is not switched on');
    const access = await services.accounts.access(TT);
    const pull = await counted(() =>
      client.publish(
        access,
        {
          postType: 'tiktok_video',
          caption: 'Autumn drop',
          media: [
            {
              url: 'https://wone.example.com/media/clip.mp4?sig=abc',
              kind: 'video',
              mimeType: 'video/mp4',
              sizeBytes: 3 * MB,
              durationSec: 12,
            },
          ],
          tiktok: {
            mode: 'direct',
            source: 'pull_from_url',
            privacyLevel: 'PUBLIC_TO_EVERYONE',
            disableComment: true,
            disableDuet: true,
            disableStitch: true,
            brandContentToggle: false,
            brandOrganicToggle: false,
          },
        },
        { progress: {}, save: async () => {} },
      ),
    );
    if (pull.result.status !== 'published') throw new Error(`pull video: ${pull.result.status}`);
    publishRows.push({
      platform: 'TikTok',
      type: 'video by URL pull',
      calls: pull.calls.tiktok,
      minimum: 2,
      why: creatorWhy,
    });
    // The pulled video is not a target the app tracks; only the published ones below are polled and reported.
  }
  const link = await mediaLink('drop.mp4', largeMp4(UPLOAD_BYTES));
  await measurePost(
    'tiktok',
    `video by file upload (${(UPLOAD_BYTES / MB).toFixed(1)} MB, ${chunkPlan.totalChunkCount} chunks)`,
    'tiktok_video',
    { caption: 'Autumn drop', mediaUrls: [link.url], ...tiktokDirect },
    [],
    3,
    `${creatorWhy}; ${chunkPlan.totalChunkCount} chunks of ${chunkPlan.chunkSize / MB} MB (the last takes the rest) where one ${(UPLOAD_BYTES / MB).toFixed(0)} MB chunk is allowed: a chunk is read into memory and resent whole on failure`,
  );
  link.close();
  await measurePost(
    'tiktok',
    'photo (3 photos)',
    'tiktok_photo',
    { caption: 'Weekend looks', ...tiktokDirect },
    [jpeg('t1', 1080, 1350), jpeg('t2', 1080, 1350), jpeg('t3', 1080, 1350)],
    2,
    creatorWhy,
  );
  await measurePost(
    'tiktok',
    'video to the inbox (one chunk)',
    'tiktok_video',
    { caption: 'For the inbox', tiktokMode: 'inbox' },
    [mp4('inbox')],
    3,
    creatorWhy,
  );

  // ---------------------------------------------------------------------------------------------------- comments

  interface CycleRow {
    account: string;
    items: string;
    first: string[];
    next: string[];
    minimum: number;
    why: string;
  }
  const cycleRows: CycleRow[] = [];
  const accountsById = new Map((await services.accounts.list()).map((account) => [account._id, account]));
  const publishedItems = (accountId: string) =>
    services.db
      .collection<{ remoteId?: string }>('targets')
      .find({ accountId, state: 'published', remoteId: { $exists: true } })
      .toArray();
  const tracked = async (accountId: string) => (await publishedItems(accountId)).length;

  for (const [accountId, host] of [
    [IG, 'instagram'],
    [FB, 'facebook'],
    [TT, 'tiktok'],
  ] as const) {
    const account = accountsById.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    const first = await counted(() => services.comments.pollAccount(account));
    if (first.result.error || first.result.skipped)
      throw new Error(`${accountId}: ${first.result.error ?? first.result.skipped}`);
    // A comment arrives on the newest post before the next cycle.
    const newest = (await publishedItems(accountId)).at(-1)?.remoteId ?? '';
    if (host === 'tiktok') tiktok.seedComment(newest, { text: 'Love it' });
    else graph.seedComment({ itemId: newest, text: 'Love it', author: 'fan' });
    const next = await counted(() => services.comments.pollAccount(account));
    const items = await tracked(accountId);
    cycleRows.push({
      account: `${label(host)}, ${items} published ${host === 'tiktok' ? 'videos and photo posts' : host === 'instagram' ? 'items (1 a story)' : 'items (1 a video)'}`,
      items: String(items),
      first: first.calls[host],
      next: next.calls[host],
      minimum: host === 'tiktok' ? items : 1,
      why:
        host === 'facebook'
          ? 'a video is kept by the video id `/videos` answers (B.1), which the Page-posts read does not list: one `/{video-id}/comments` read per video'
          : '',
    });
  }

  // ---------------------------------------------------------------------------------------------------- digest

  // The digest covers the seven whole days before the day it runs: run it the next day so today's posts are in it,
  // then a week later (no new posts; last week comes from the database).
  const tomorrow = DateTime.now().setZone(ZONE).plus({ days: 1 }).set({ hour: 9, minute: 0 }).toJSDate();
  const digestRows: { account: string; first: string[]; next: string[]; minimum: string; why: string }[] = [];
  const graphDigestWhy = (extra: string) =>
    `post figures and account figures are two batches, one per client method (\`getItemInsights\`, \`getAccountInsights\` of the \`PlatformClient\` interface); ${extra}the first digest reads the week before in a call of its own (later ones take it from the database; noted, not changed)`;
  const digestWhy: Record<Host, string> = {
    instagram:
      'Instagram Login is served by graph.instagram.com, where Meta documents no batch requests: each read is a call of its own; a story refuses the feed metric set (#100), so its metrics are asked one by one (A.7); the first digest reads the week before in calls of its own (later ones take it from the database; noted, not changed)',
    facebook: graphDigestWhy('the account batch also reads the weekly reach (`period=week`); '),
    tiktok:
      'the first digest reads the week before in a call of its own, where one `business/get` over both weeks would do (later ones take it from the database; noted, not changed)',
  };
  const firstDigest = await counted(() => services.insightsPublisher.postWeeklyDigest(tomorrow));
  if (firstDigest.result.status !== 'posted') throw new Error(`digest: ${JSON.stringify(firstDigest.result)}`);
  const nextDigest = await counted(() =>
    services.insightsPublisher.postWeeklyDigest(new Date(tomorrow.getTime() + 7 * 86_400_000)),
  );
  if (nextDigest.result.status !== 'posted') throw new Error(`digest: ${JSON.stringify(nextDigest.result)}`);
  for (const [accountId, host] of [
    [IG, 'instagram'],
    [FB, 'facebook'],
    [TT, 'tiktok'],
  ] as const) {
    digestRows.push({
      account: `${label(host)}, ${await tracked(accountId)} posts in the week`,
      first: firstDigest.calls[host],
      next: nextDigest.calls[host],
      minimum: host === 'tiktok' ? '2 (no posts: 1)' : '1',
      why: digestWhy[host],
    });
  }

  // ---------------------------------------------------------------------------------------------------- results

  // Every post published above comes due at its 24-hour checkpoint at once, then at its 7-day one; between them a
  // run finds nothing due. Each is one run of the `post-results` job's work at that moment.
  const resultRows: { account: string; day: string[]; idle: string[]; week: string[]; minimum: number; why: string }[] =
    [];
  const latest = await services.db
    .collection<{ publishedAt: Date }>('targets')
    .find({ state: 'published' })
    .sort({ publishedAt: -1 })
    .limit(1)
    .next();
  const lastPublished = latest?.publishedAt.getTime() ?? Date.now();
  const dayRun = await counted(() => services.postResults.runDue(new Date(lastPublished + 24 * 3_600_000 + 60_000)));
  const idleRun = await counted(() => services.postResults.runDue(new Date(lastPublished + 25 * 3_600_000)));
  const weekRun = await counted(() => services.postResults.runDue(new Date(lastPublished + 7 * 86_400_000 + 60_000)));
  const resultsWhy: Record<Host, string> = {
    instagram:
      'a story refuses the feed metric set (#100), so its metrics are asked one by one in one more batch (A.7)',
    facebook: 'a post that refuses a metric has its metrics asked one by one in one more batch',
    tiktok: '',
  };
  for (const [accountId, host] of [
    [IG, 'instagram'],
    [FB, 'facebook'],
    [TT, 'tiktok'],
  ] as const) {
    resultRows.push({
      account: `${label(host)}, ${await tracked(accountId)} posts due`,
      day: dayRun.calls[host],
      idle: idleRun.calls[host],
      week: weekRun.calls[host],
      minimum: 1,
      why: resultsWhy[host],
    });
  }
  const replies = dayRun.result.posted + weekRun.result.posted;

  // ---------------------------------------------------------------------------------------------------- report

  console.log('\n## Calls per published post\n');
  console.log('| platform | post type | calls | the calls | minimum | why more than the minimum |');
  console.log('| --- | --- | --: | --- | --: | --- |');
  for (const row of publishRows) {
    const why = row.calls.length > row.minimum ? row.why : '';
    console.log(
      `| ${row.platform} | ${row.type} | ${row.calls.length} | ${summarise(row.calls)} | ${row.minimum} | ${why} |`,
    );
  }
  if (draftNotes.length > 0) {
    console.log('\nWhile a draft is prepared (before approval), for its rule check:\n');
    for (const note of draftNotes) console.log(`- ${note}`);
  }

  console.log('\n## Calls per comment-polling cycle, per account\n');
  console.log('| account | first cycle | calls | next cycle | calls | minimum | why more than the minimum |');
  console.log('| --- | --- | --: | --- | --: | --: | --- |');
  for (const row of cycleRows) {
    console.log(
      `| ${row.account} | ${summarise(row.first)} | ${row.first.length} | ${summarise(row.next)} | ${row.next.length} | ${row.minimum} | ${row.next.length > row.minimum ? row.why : ''} |`,
    );
  }

  console.log('\n## Calls per weekly digest, per account\n');
  console.log(
    '| account | first digest | calls | a week later, no new posts | calls | minimum | why more than the minimum |',
  );
  console.log('| --- | --- | --: | --- | --: | --- | --- |');
  for (const row of digestRows) {
    console.log(
      `| ${row.account} | ${summarise(row.first)} | ${row.first.length} | ${summarise(row.next)} | ${row.next.length} | ${row.minimum} | ${row.why} |`,
    );
  }

  console.log('\n## Calls per results checkpoint run, per account\n');
  console.log(`${replies} replies in approval threads (24 hours and 7 days).\n`);
  console.log(
    '| account | 24-hour run | calls | a run with nothing due | calls | 7-day run | calls | minimum | why more than the minimum |',
  );
  console.log('| --- | --- | --: | --- | --: | --- | --: | --: | --- |');
  for (const row of resultRows) {
    const worst = Math.max(row.day.length, row.week.length);
    console.log(
      `| ${row.account} | ${summarise(row.day)} | ${row.day.length} | ${summarise(row.idle) || 'none'} | ${row.idle.length} | ${summarise(row.week)} | ${row.week.length} | ${row.minimum} | ${worst > row.minimum ? row.why : ''} |`,
    );
  }
}

try {
  await measureAndReport();
} finally {
  await app.stop();
  await slack.stop();
  await graph.stop();
  await tiktok.stop();
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
// Idle keep-alive sockets of the platform clients would hold the process a while longer.
process.exit(0);
