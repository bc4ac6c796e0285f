/** A date shown in each reader's own time zone by Slack, with a UTC fallback for clients that cannot. */
export function slackDate(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}
