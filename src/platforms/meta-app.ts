import { z } from 'zod';
import type { GraphClient } from './graph-client.ts';
import { successSchema } from './meta-common.ts';

/**
 * Where Meta sends an account's comment webhooks once the app is subscribed: a Page (Facebook Login; for an
 * Instagram account, the Page linked to it) with its Page token, or an Instagram Login account with its own token.
 */
export type WebhookSubscription =
  | { host: 'facebook'; pageId: string; token: string }
  | { host: 'instagram'; token: string };

/** The Page field that carries comments (`feed`); Instagram comments through a Page need any Page field subscribed. */
export const PAGE_WEBHOOK_FIELDS = ['feed'];
/** The Instagram Login field that carries comments. */
export const INSTAGRAM_WEBHOOK_FIELDS = ['comments'];

const subscribedAppsSchema = z.object({ data: z.array(z.object({ id: z.string() }).passthrough()) });

/**
 * What the app asks of Meta about itself rather than about content: the webhook subscription of each connected object
 * (`subscribed_apps`, reference E and A.8) and the revocation of a Facebook login (`DELETE /{user-id}/permissions`).
 */
export class MetaApp {
  constructor(
    private readonly options: {
      facebookGraph: GraphClient;
      instagramGraph: GraphClient;
      appId: string;
      appSecret: string;
    },
  ) {}

  /**
   * `POST /{page-id}/subscribed_apps?subscribed_fields=feed` with the Page token, or on graph.instagram.com
   * `POST /me/subscribed_apps?subscribed_fields=comments` with the Instagram User token. Meta sends nothing before.
   */
  async subscribe(target: WebhookSubscription): Promise<void> {
    if (target.host === 'facebook') {
      await this.options.facebookGraph.post(`${target.pageId}/subscribed_apps`, successSchema, {
        token: target.token,
        params: { subscribed_fields: PAGE_WEBHOOK_FIELDS.join(',') },
      });
    } else {
      await this.options.instagramGraph.post('me/subscribed_apps', successSchema, {
        token: target.token,
        params: { subscribed_fields: INSTAGRAM_WEBHOOK_FIELDS.join(',') },
      });
    }
  }

  /** Whether the app is subscribed for the object (`GET …/subscribed_apps` lists this app). */
  async isSubscribed(target: WebhookSubscription): Promise<boolean> {
    const graph = target.host === 'facebook' ? this.options.facebookGraph : this.options.instagramGraph;
    const path = target.host === 'facebook' ? `${target.pageId}/subscribed_apps` : 'me/subscribed_apps';
    const { data } = await graph.get(path, subscribedAppsSchema, { token: target.token });
    return data.length > 0;
  }

  /** `DELETE …/subscribed_apps`: Meta stops sending the object's webhooks to this app. */
  async unsubscribe(target: WebhookSubscription): Promise<void> {
    if (target.host === 'facebook') {
      await this.options.facebookGraph.delete(`${target.pageId}/subscribed_apps`, successSchema, {
        token: target.token,
      });
    } else {
      await this.options.instagramGraph.delete('me/subscribed_apps', successSchema, { token: target.token });
    }
  }

  /**
   * `DELETE /{user-id}/permissions` with the app token: the person's Facebook login is revoked at Meta, and every
   * token it gave (the Page tokens too) stops working.
   */
  async revokeFacebookLogin(metaUserId: string): Promise<void> {
    const { appId, appSecret } = this.options;
    await this.options.facebookGraph.delete(`${encodeURIComponent(metaUserId)}/permissions`, successSchema, {
      token: `${appId}|${appSecret}`,
    });
  }
}
