import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const compose = readFileSync('docker-compose.yml', 'utf8');
const guide = readFileSync('docs/deploy.md', 'utf8');
const caddyfile = readFileSync('deploy/Caddyfile', 'utf8');

/** The service names under `services:` (two-space indented keys). */
const services = [...(compose.split(/^volumes:/m)[0] ?? '').matchAll(/^ {2}([a-z][\w-]*):\s*$/gm)].map((m) => m[1]);

describe('docker-compose.yml and docs/deploy.md', () => {
  it('has the app, its database and a TLS proxy, the app on PORT behind it', () => {
    expect(services).toEqual(['mongodb', 'app', 'caddy']);
    const port = ['$', '{PORT:-3000}'].join('');
    expect(compose).toContain(`PORT: ${port}`);
    expect(compose).toContain(`APP_PORT: ${port}`);
    expect(compose).toContain('PUBLIC_BASE_URL: ${PUBLIC_BASE_URL:?');
    expect(caddyfile).toContain('{$PUBLIC_BASE_URL} {');
    expect(caddyfile).toContain('reverse_proxy app:{$APP_PORT}');
  });

  it('mounts only files that exist in the repository', () => {
    for (const [, path] of compose.matchAll(/^\s+- \.\/([^:]+):/gm)) expect(existsSync(path ?? ''), path).toBe(true);
  });

  it('names in each of the guide’s docker compose commands a service of the compose file', () => {
    const commands = [...guide.matchAll(/docker compose (exec -T|exec|stop|start|build|up -d|logs -f) ([a-z][\w-]*)/g)];
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const [command, , service] of commands) expect(services, command).toContain(service);
  });

  it('links the guide from the README, and its links to other files resolve', () => {
    expect(readFileSync('README.md', 'utf8')).toContain('](docs/deploy.md)');
    for (const [, target] of guide.matchAll(/\]\((\.\.\/[^)#]+)(?:#[^)]*)?\)/g)) {
      expect(existsSync(`docs/${target}`), target).toBe(true);
    }
  });
});
