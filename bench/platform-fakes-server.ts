// The Graph fake (Instagram, Facebook) in a process of its own, answering after PLATFORM_LATENCY_MS, with RIG_ACCOUNTS
// accounts seeded, and a control port that reports what was published and which calls were made.
import { FakeHttpServer } from '../src/sandbox/fake-http-server.ts';
import { GraphFake } from '../src/sandbox/graph-fake.ts';
import { seedRigAccountsInGraph } from '../test/harness/publish-fixtures.ts';

const graph = new GraphFake({ startAt: Date.now(), quotaTotal: 100_000 });
const urls = await graph.start();
const latency = Number(process.env.PLATFORM_LATENCY_MS ?? 50);
for (const server of [graph.facebook, graph.instagram]) server.latencyMs = latency;
const accounts = seedRigAccountsInGraph(graph, Number(process.env.RIG_ACCOUNTS ?? 20));

/** The caption of a publishing request: the first thing the platform sees of a post. */
function captionOf(body: unknown): string | undefined {
  const fields = body as Record<string, unknown> | undefined;
  const text = fields?.caption ?? fields?.message;
  return typeof text === 'string' ? text : undefined;
}

const control = new FakeHttpServer();
control.route('GET', '/accounts', () => ({ json: { accounts, ...urls } }));
control.route('GET', '/report', () => {
  const published: Record<string, number> = {};
  for (const account of accounts) {
    for (const item of graph.published(account.externalId)) {
      const key = item.caption ?? item.id;
      published[key] = (published[key] ?? 0) + 1;
    }
  }
  const starts: Record<string, number> = {};
  const calls: Record<string, number> = {};
  for (const [host, server] of [
    ['facebook', graph.facebook],
    ['instagram', graph.instagram],
  ] as const) {
    for (const call of server.calls) {
      const caption = call.method === 'POST' ? captionOf(call.body) : undefined;
      if (caption !== undefined && starts[caption] === undefined) starts[caption] = call.at;
      // Ids become `{id}` so calls group by endpoint.
      const path = call.path.replace(/\/v\d+\.\d+/, '').replace(/\/\d+/g, '/{id}');
      const key = `${host} ${call.method} ${path}`;
      calls[key] = (calls[key] ?? 0) + 1;
    }
  }
  return { json: { published, starts, calls } };
});
control.route('POST', '/reset-calls', () => {
  graph.facebook.calls.length = 0;
  graph.instagram.calls.length = 0;
  return { json: { ok: true } };
});
await control.start();
process.stdout.write(`${JSON.stringify({ port: Number(new URL(control.url).port) })}\n`);
