import { FacebookClient } from '../../src/platforms/facebook.ts';
import { GraphClient } from '../../src/platforms/graph-client.ts';
import { InstagramClient } from '../../src/platforms/instagram.ts';
import type { MediaItem, PublishContext, PublishProgress } from '../../src/platforms/types.ts';
import type { FakeRequest } from '../../src/sandbox/fake-http-server.ts';
import { GraphFake, type GraphFakeOptions } from '../../src/sandbox/graph-fake.ts';

export const GRAPH_VERSION = 'v25.0';

/**
 * The Graph fake on loopback and real clients pointed at it. Client time and waits run on the fake's clock, so a
 * status poll "waits" by moving the fake clock, and no test sleeps.
 */
export async function startMeta(options: GraphFakeOptions = {}) {
  const fake = new GraphFake(options);
  const { facebookUrl, instagramUrl } = await fake.start();
  const now = () => fake.now();
  const graphs = {
    igViaFacebook: new GraphClient({ platform: 'instagram', baseUrl: facebookUrl, version: GRAPH_VERSION, now }),
    igViaInstagram: new GraphClient({
      platform: 'instagram',
      baseUrl: instagramUrl,
      version: GRAPH_VERSION,
      now,
      batching: false,
    }),
    pages: new GraphClient({ platform: 'facebook', baseUrl: facebookUrl, version: GRAPH_VERSION, now }),
  };
  const sleeps: number[] = [];
  const clock = {
    now: () => new Date(fake.now()),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      fake.advance(ms);
    },
  };
  const instagram = new InstagramClient({
    facebookGraph: graphs.igViaFacebook,
    instagramGraph: graphs.igViaInstagram,
    appId: fake.appId,
    appSecret: fake.appSecret,
    ...clock,
  });
  const facebook = new FacebookClient({
    facebookGraph: graphs.pages,
    appId: fake.appId,
    appSecret: fake.appSecret,
    now: clock.now,
  });
  return {
    fake,
    graphs,
    instagram,
    facebook,
    sleeps,
    async stop() {
      await Promise.all(Object.values(graphs).map((graph) => graph.close()));
      await fake.stop();
    },
  };
}

export type MetaHarness = Awaited<ReturnType<typeof startMeta>>;

/** A progress store as the publish job keeps it, with every save recorded and an optional crash. */
export function progressStore(initial: PublishProgress = {}) {
  const saves: PublishProgress[] = [];
  let crashWhen: ((next: PublishProgress) => boolean) | undefined;
  const store = {
    progress: { ...initial },
    saves,
    /** The first save that matches throws (the worker dies before the next step); nothing is stored. */
    crashOnSave(when: (next: PublishProgress) => boolean) {
      crashWhen = when;
    },
    context(): PublishContext {
      return {
        progress: structuredClone(store.progress),
        save: async (next) => {
          if (crashWhen?.(next)) {
            crashWhen = undefined;
            throw new Error('worker stopped');
          }
          saves.push(structuredClone(next));
          store.progress = structuredClone(next);
        },
      };
    },
  };
  return store;
}

export const jpeg = (name: string, extra: Partial<MediaItem> = {}): MediaItem => ({
  url: `https://media.wone.example/m/${name}.jpg?sig=abc`,
  kind: 'image',
  mimeType: 'image/jpeg',
  sizeBytes: 900_000,
  width: 1080,
  height: 1350,
  ...extra,
});

export const mp4 = (name: string, extra: Partial<MediaItem> = {}): MediaItem => ({
  url: `https://media.wone.example/m/${name}.mp4?sig=abc`,
  kind: 'video',
  mimeType: 'video/mp4',
  sizeBytes: 40_000_000,
  durationSec: 20,
  ...extra,
});

/** `METHOD /path` of each call, without the version prefix, for readable call-count assertions. */
export function callList(calls: FakeRequest[]): string[] {
  return calls.map((call) => `${call.method} ${call.path.replace(/^\/v\d+\.\d+/, '')}`);
}
