import { describe, expect, it } from 'vitest';
import { plainTextOfSlackMessage } from '../../src/handlers/expert-answers.ts';

describe('an expert’s Slack message as reply text', () => {
  it('undoes Slack’s escapes and markup the way the platform should show it', () => {
    expect(plainTextOfSlackMessage('Refunds take 3 &amp; 5 days &lt;3')).toBe('Refunds take 3 & 5 days <3');
    expect(plainTextOfSlackMessage('See <https://wone.example/refunds>')).toBe('See https://wone.example/refunds');
    expect(plainTextOfSlackMessage('See <https://wone.example/r|our refund page>')).toBe(
      'See our refund page (https://wone.example/r)',
    );
    expect(plainTextOfSlackMessage('See <http://wone.example|wone.example>')).toBe('See wone.example');
    expect(plainTextOfSlackMessage('Mail <mailto:care@wone.example|care@wone.example>')).toBe('Mail care@wone.example');
    expect(plainTextOfSlackMessage('<@U123ABC> can you check? <!here>')).toBe('can you check?');
    expect(plainTextOfSlackMessage('Ask in <#C0SUPPORT|support>')).toBe('Ask in #support');
    expect(plainTextOfSlackMessage('Line one\nLine two')).toBe('Line one\nLine two');
  });
});
