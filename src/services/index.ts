import type { WebClient } from '@slack/web-api';
import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { AccountNotifier } from '../notify/account-notifier.ts';
import { CommentNotifier } from '../notify/comment-notifier.ts';
import { PostNotifier } from '../notify/post-notifier.ts';
import { ResultsNotifier } from '../notify/results-notifier.ts';
import { GraphClient } from '../platforms/graph-client.ts';
import { createPlatformClients, type PlatformClients } from '../platforms/index.ts';
import { MetaApp } from '../platforms/meta-app.ts';
import { MetaLogin } from '../platforms/meta-login.ts';
import { AccountConnect } from './account-connect.ts';
import { AccountDisconnect } from './account-disconnect.ts';
import { Accounts } from './accounts.ts';
import { ApprovalSteps, approvalStepsOf } from './approval-steps.ts';
import { Approvals } from './approvals.ts';
import { AuditLog } from './audit.ts';
import { BestTime } from './best-time.ts';
import { BrandFreeze } from './brand-freeze.ts';
import { CommentOwnership } from './comment-ownership.ts';
import { CommentRouting } from './comment-routing.ts';
import { CommentRules } from './comment-rules.ts';
import { Comments } from './comments.ts';
import { DataDeletion } from './data-deletion.ts';
import { Drafts } from './drafts.ts';
import { InsightsService } from './insights.ts';
import { InsightsPublisher } from './insights-publisher.ts';
import { MediaStore } from './media-store.ts';
import { OAuthStates } from './oauth-states.ts';
import { PostResults } from './post-results.ts';
import { Posts } from './posts.ts';
import { Publisher } from './publisher.ts';
import { ReplyApprovalPolicy } from './reply-approval.ts';
import { ReplyDrafts } from './reply-drafts.ts';
import { ResponseTimes } from './response-times.ts';
import { Roles } from './roles.ts';
import { Scheduling } from './scheduling.ts';
import { StoryInsights } from './story-insights.ts';
import { TargetHolds } from './target-holds.ts';
import { Targets } from './targets.ts';
import { TokenHealthMonitor } from './token-health.ts';
import { TokenVault } from './token-vault.ts';
import { VideoPostIds } from './video-post-ids.ts';
import { Withdrawals } from './withdrawals.ts';

/** Everything the handlers and jobs work with, built once at startup. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  scheduler: Agenda;
  /** The bot's Web API client, for work that runs outside a Slack request (jobs, notifications). */
  slack: WebClient;
  roles: Roles;
  audit: AuditLog;
  vault: TokenVault;
  accounts: Accounts;
  /** One client per platform switched on in the configuration. */
  platforms: PlatformClients;
  insights: InsightsService;
  insightsPublisher: InsightsPublisher;
  /** Figures 24 hours and 7 days after publishing, in each post's approval thread. */
  postResults: PostResults;
  /** Instagram story figures, read while Instagram serves them (24 hours) and kept for later reports. */
  storyInsights: StoryInsights;
  /** Facebook videos published before their post was kept, moved to their post's id. */
  videoPostIds: VideoPostIds;
  /** `/wone besttime` and the draft modal's suggested times. */
  bestTime: BestTime;
  comments: Comments;
  /** `COMMENT_ROUTES`: expert channels, and which comment a thread there is about. */
  commentRouting: CommentRouting;
  /** Replies on their way: experts' proposed answers and replies waiting for approval. */
  replyDrafts: ReplyDrafts;
  /** "Assign to me", "Done" and each person's comment lists. */
  commentOwnership: CommentOwnership;
  posts: Posts;
  targets: Targets;
  media: MediaStore;
  notifier: PostNotifier;
  drafts: Drafts;
  approvals: Approvals;
  /** `/wone freeze` and `/wone unfreeze`: while frozen, no post starts publishing. */
  freeze: BrandFreeze;
  /** The time the approval rules read. */
  clock: () => Date;
  scheduling: Scheduling;
  /** Withdraw: requesters take back their own posts before they go out. */
  withdrawals: Withdrawals;
  publisher: Publisher;
  /** Direct messages to admins and requesters about accounts. */
  accountNotifier: AccountNotifier;
  holds: TargetHolds;
  disconnect: AccountDisconnect;
  deletion: DataDeletion;
  /** Token refresh and checks; `reportAuthFailure` is for any code whose platform call failed with an auth error. */
  tokenHealth: TokenHealthMonitor;
  /** `/wone connect`, the OAuth callbacks and the choice of accounts. */
  connect: AccountConnect;
}

export function createServices(deps: {
  config: Config;
  logger: Logger;
  db: Db;
  scheduler: Agenda;
  slack: WebClient;
  /** Whether media links are downloaded at all (the sandbox says no). */
  mediaLinks?: boolean;
  /** The time now (tests pass their own). */
  clock?: () => Date;
}): Services {
  const { config, logger, db, scheduler, slack } = deps;
  const clock = deps.clock ?? (() => new Date());
  const lookupUsergroup = async (usergroup: string) => {
    const answer = await slack.usergroups.users.list({ usergroup });
    return answer.users ?? [];
  };
  const platforms = createPlatformClients(config);
  const roles = new Roles(config, lookupUsergroup, undefined, {
    reply_comment: config.COMMENT_ROLE,
    hide_comment: config.COMMENT_ROLE,
  });
  const vault = new TokenVault(config.TOKEN_ENCRYPTION_KEY, config.TOKEN_ENCRYPTION_KEY_PREVIOUS);
  const audit = new AuditLog(db);
  const accounts = new Accounts(db, vault);
  const posts = new Posts(db);
  const targets = new Targets(db, config.PUBLISH_LEASE_SECONDS * 1000, clock);
  const media = new MediaStore(db, {
    publicBaseUrl: config.PUBLIC_BASE_URL,
    encryptionKey: config.TOKEN_ENCRYPTION_KEY,
    slackToken: config.SLACK_BOT_TOKEN,
    slackApiUrl: config.SLACK_API_URL,
    fetchAllow: config.MEDIA_FETCH_ALLOW,
    linksAllowed: deps.mediaLinks ?? true,
  });
  const steps = new ApprovalSteps(approvalStepsOf(config), lookupUsergroup);
  const notifier = new PostNotifier(slack, { config, logger, posts, targets, accounts, media, steps: steps.steps });
  const scheduling = new Scheduling({
    scheduler,
    posts,
    targets,
    media,
    notifier,
    roles,
    audit,
    logger,
    graceMinutes: config.PUBLISH_GRACE_MINUTES,
    leaseMs: config.PUBLISH_LEASE_SECONDS * 1000,
  });
  const insights = new InsightsService(db, accounts, platforms, logger);
  const commentLogger = logger.child({ component: 'comments' });
  const commentNotifier = new CommentNotifier(slack, config.COMMENTS_CHANNEL_ID);
  const commentRules = new CommentRules({
    db,
    rules: config.COMMENT_RULES,
    accounts,
    audit,
    clients: platforms,
    logger: commentLogger,
  });
  const commentRouting = new CommentRouting({
    db,
    routes: config.COMMENT_ROUTES,
    accounts,
    notifier: commentNotifier,
    logger: commentLogger,
  });
  const comments = new Comments({
    db,
    config,
    logger: commentLogger,
    accounts,
    audit,
    roles,
    notifier: commentNotifier,
    clients: platforms,
    hooks: { beforeSlack: (doc) => commentRules.apply(doc), afterSlack: (doc) => commentRouting.route(doc) },
  });
  const replyDrafts = new ReplyDrafts({
    db,
    comments,
    accounts,
    policy: new ReplyApprovalPolicy(config),
    roles,
    audit,
    notifier: commentNotifier,
    logger: commentLogger,
  });
  const accountNotifier = new AccountNotifier(slack, roles, logger);
  const holds = new TargetHolds(db, targets, accountNotifier);
  const metaApp =
    config.META_APP_ID && config.META_APP_SECRET
      ? new MetaApp({
          facebookGraph: new GraphClient({
            platform: 'facebook',
            baseUrl: config.META_GRAPH_URL,
            version: config.META_GRAPH_VERSION,
          }),
          instagramGraph: new GraphClient({
            platform: 'instagram',
            baseUrl: config.INSTAGRAM_GRAPH_URL,
            version: config.META_GRAPH_VERSION,
          }),
          appId: config.META_APP_ID,
          appSecret: config.META_APP_SECRET,
        })
      : undefined;
  const disconnect = new AccountDisconnect(accounts, holds, audit, platforms, logger, metaApp);
  const deletion = new DataDeletion(db, accounts, disconnect, audit);
  const tokenHealth = new TokenHealthMonitor(accounts, platforms, accountNotifier, holds, audit, logger);
  const metaLogin =
    config.META_APP_ID && config.META_APP_SECRET
      ? new MetaLogin({
          graphUrl: config.META_GRAPH_URL,
          facebookLoginUrl: config.META_LOGIN_URL,
          instagramLoginUrl: config.INSTAGRAM_LOGIN_URL,
          instagramGraphUrl: config.INSTAGRAM_GRAPH_URL,
          instagramApiUrl: config.INSTAGRAM_API_URL,
          version: config.META_GRAPH_VERSION,
          appId: config.META_APP_ID,
          appSecret: config.META_APP_SECRET,
          ...(config.META_LOGIN_CONFIG_ID ? { loginConfigId: config.META_LOGIN_CONFIG_ID } : {}),
          ...(config.INSTAGRAM_APP_ID && config.INSTAGRAM_APP_SECRET
            ? { instagramAppId: config.INSTAGRAM_APP_ID, instagramAppSecret: config.INSTAGRAM_APP_SECRET }
            : {}),
        })
      : undefined;
  const connect = new AccountConnect({
    db,
    config,
    vault,
    accounts,
    audit,
    states: new OAuthStates(db),
    logger,
    ...(metaLogin ? { metaLogin } : {}),
    ...(metaApp ? { metaApp } : {}),
    ...(platforms.tiktok ? { tiktok: platforms.tiktok } : {}),
  });
  const common = { posts, targets, media, notifier, roles, audit, scheduling };
  const freeze = new BrandFreeze({ db, posts, scheduling, roles, audit, logger, clock });
  const frozen = () => freeze.isActive();
  const approvals = new Approvals({
    ...common,
    steps,
    clock,
    deadlineMinutes: config.APPROVAL_DEADLINE_MINUTES,
    frozen,
  });
  return {
    config,
    logger,
    db,
    scheduler,
    slack,
    vault,
    accounts,
    platforms,
    ...common,
    drafts: new Drafts({ ...common, accounts, clients: platforms, logger, approvals }),
    approvals,
    freeze,
    clock,
    withdrawals: new Withdrawals(common),
    publisher: new Publisher({
      ...common,
      accounts,
      clients: platforms,
      logger,
      reportAuthFailure: (accountId, problem) => tokenHealth.reportAuthFailure(accountId, problem),
      frozen,
    }),
    insights,
    insightsPublisher: new InsightsPublisher(db, insights, slack, config, logger, new ResponseTimes(db)),
    postResults: new PostResults({
      db,
      accounts,
      posts,
      clients: platforms,
      sink: new ResultsNotifier(slack),
      logger: logger.child({ component: 'post-results' }),
      ...(deps.clock ? { clock: deps.clock } : {}),
    }),
    storyInsights: new StoryInsights({
      db,
      accounts,
      clients: platforms,
      logger: logger.child({ component: 'story-insights' }),
      ...(deps.clock ? { clock: deps.clock } : {}),
    }),
    videoPostIds: new VideoPostIds({ db, accounts, clients: platforms, logger }),
    bestTime: new BestTime({
      db,
      accounts,
      clients: platforms,
      logger,
      ...(deps.clock ? { clock: deps.clock } : {}),
    }),
    comments,
    commentRouting,
    replyDrafts,
    commentOwnership: new CommentOwnership({ db, comments, roles, audit }),
    accountNotifier,
    holds,
    disconnect,
    deletion,
    tokenHealth,
    connect,
  };
}
