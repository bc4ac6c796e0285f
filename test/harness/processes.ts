import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RunningServer {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript entry point in its own Node process and waits for the `{"port":…}` line it prints.
 * `nodeArgs` go before the entry (e.g. `--cpu-prof`, which Node refuses in `NODE_OPTIONS`).
 */
export async function startServer(
  entry: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<RunningServer> {
  const args = [...nodeArgs, '--import', 'tsx', entry];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}`)));
    lines.on('line', (line) => {
      const match = /^\{"port":(\d+)\}$/.exec(line.trim());
      if (match) resolve(Number(match[1]));
    });
  });
  return {
    port,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        // Not unref'd: a child that ignores SIGTERM must not outlive the test run.
        setTimeout(() => child.kill('SIGKILL'), 10_000);
      }),
  };
}

/** Resident memory of a process in MB, from /proc (Linux). */
export async function residentMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc (Linux). */
export async function cpuMs(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
