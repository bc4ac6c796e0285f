import type { Logger } from '../logger.ts';
import type { PostNotifier } from '../notify/post-notifier.ts';
import type { PlatformClients } from '../platforms/index.ts';
import type { Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';
import type { MediaStore } from './media-store.ts';
import type { Posts } from './posts.ts';
import type { Roles } from './roles.ts';
import type { Scheduling } from './scheduling.ts';
import type { Targets } from './targets.ts';

/** What the services that carry a post through its life (drafting, publishing) work with. */
export interface PostWork {
  posts: Posts;
  targets: Targets;
  accounts: Accounts;
  media: MediaStore;
  clients: PlatformClients;
  scheduling: Scheduling;
  notifier: PostNotifier;
  roles: Roles;
  audit: AuditLog;
  logger: Logger;
}
