import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyPolicyFile } from '../../src/http/privacy.ts';
import { startTestApp, type TestApp } from '../harness/test-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'wone-policy-'));
const policyPath = join(dir, 'policy.txt');
writeFileSync(
  policyPath,
  [
    'Acme Goods — Privacy Policy',
    'Last updated: 1 March 2027',
    'This Privacy Policy explains how Acme Goods Ltd (“we”) handles information in Wone Social.',
    'Contact',
    'Write to privacy@acme.example for anything about your data.',
  ].join('\n'),
);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PRIVACY_POLICY_FILE: policyPath });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PRIVACY_POLICY_FILE', () => {
  it("serves the operator's policy, company and contact instead of the shipped text", async () => {
    const html = await (await fetch(`${t.url}/privacy`)).text();
    expect(html).toContain('<h1>Acme Goods — Privacy Policy</h1>');
    expect(html).toContain('Acme Goods Ltd (“we”)');
    expect(html).toContain('mailto:privacy@acme.example');
    expect(html).not.toContain('Wone Commerce');
    expect(html).not.toContain('wonecommerce.com');
  });

  it('gives the policy’s contact on the data deletion page, naming no other company', async () => {
    const html = await (await fetch(`${t.url}/data-deletion`)).text();
    expect(html).toContain('mailto:privacy@acme.example');
    expect(html).not.toContain('wonecommerce.com');
    expect(html).not.toContain('Wone Commerce');
  });

  it('ships a default policy whose opening sentence is spelled right', () => {
    const shipped = readFileSync(privacyPolicyFile, 'utf8');
    expect(shipped).toContain('Wone Commerce (“we”, “us”, “our”)');
    expect(shipped).not.toContain('Commerce(“');
  });
});
