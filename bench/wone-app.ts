// Runs Wone Social from the environment, as production does, and prints the port it listens on.
import { startFromEnvironment } from '../src/app.ts';

const app = await startFromEnvironment(process.env, { slackRetryConfig: { retries: 0 } });
process.stdout.write(`${JSON.stringify({ port: app.port })}\n`);
process.once('SIGTERM', () => {
  // A stop that hangs (a job waiting on a simulator that is gone) must not leave the process behind.
  setTimeout(() => process.exit(1), 5_000).unref();
  app.stop().then(() => process.exit(0));
});
