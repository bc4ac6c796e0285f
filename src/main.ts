import 'dotenv/config';
import { startFromEnvironment } from './app.ts';
import { ConfigError } from './config.ts';

try {
  const app = await startFromEnvironment(process.env);
  const shutdown = (signal: string) => {
    app.services.logger.info({ signal }, 'shutting down');
    // Running jobs get time to finish their step (their progress is saved, so a cut-off run resumes elsewhere).
    setTimeout(() => {
      app.services.logger.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000).unref();
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`Wone Social could not start: ${(error as Error).message}`);
  }
  process.exit(1);
}
