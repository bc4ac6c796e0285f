/** Escapes Slack mrkdwn control characters in text that came from outside (platform names, user input). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
