// Runs Wone Social from the environment, as production does, and prints the port it listens on.
import { startFromEnvironment } from '../src/app.ts';

const app = await startFromEnvironment(process.env, { slackRetryConfig: { retries: 0 } });
process.stdout.write(`${JSON.stringify({ port: app.port })}\n`);
process.once('SIGTERM', () => {
  app.stop().then(() => process.exit(0));
});
