import { ConfigError } from '../config.ts';
import { SandboxRefusedError } from './safety.ts';
import { startSandbox } from './sandbox.ts';

// No .env is read here: the sandbox never looks at production settings, it only refuses to run beside them.
try {
  const port = Number(process.env.PORT ?? 3000);
  const sandbox = await startSandbox(process.env, {
    port: Number.isInteger(port) && port > 0 ? port : 3000,
    dataDir: process.env.DATA_DIR || './data/sandbox',
    logLevel: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'warn',
    // Loopback unless SANDBOX_HOST says otherwise: whoever reaches the page can act as any sandbox person.
    host: process.env.SANDBOX_HOST || '127.0.0.1',
  });
  console.log(`Wone Social sandbox: open ${sandbox.url}/sandbox (simulated Slack, Instagram, Facebook and TikTok)`);
  const shutdown = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (error) {
  if (error instanceof SandboxRefusedError || error instanceof ConfigError) console.error(error.message);
  else console.error(`The sandbox could not start: ${(error as Error).message}`);
  process.exit(1);
}
