/**
 * Resolves once `activity()` (a count of what the fakes have received: Slack calls and responses, platform requests)
 * has stayed the same for `quietMs`: the app has nothing more in flight to do. The way to check that "nothing else
 * happens" without a fixed sleep: a slow machine waits longer, a fast one less.
 */
export async function waitForQuiet(activity: () => number, quietMs = 150, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = activity();
  let since = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = activity();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    if (Date.now() > deadline) throw new Error('the app did not go quiet in time');
  }
}
