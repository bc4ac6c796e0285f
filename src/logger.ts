import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { pino } from 'pino';

export type Logger = pino.Logger;

/** Keys whose values are secrets wherever they appear in a logged object. */
const secretKeys = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'authorization',
  'Authorization',
  'client_secret',
  'clientSecret',
  'appSecret',
  'signingSecret',
];

/**
 * Where an OAuth authorization code can sit in a logged object: a login callback's query, the parameters or form of
 * a code exchange. Only there: elsewhere `code` names an error code (`PlatformError.code`, `ECONNREFUSED`, MongoDB's
 * 11000), which the logs must keep.
 */
const oauthCodePaths = ['query', 'params', 'form', 'body'].flatMap((holder) => [`${holder}.code`, `*.${holder}.code`]);

/**
 * The app's structured logger (JSON lines on stdout); secret-named fields are censored at any depth up to two, and
 * OAuth codes where they are carried.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = [...secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), ...oauthCodePaths];
  return pino({ level, base: { app: 'wone-social' }, redact: { paths, censor: '[redacted]' } }, destination);
}

/** Adapts the app logger to Bolt's logger interface, so Bolt's own messages go the same way. */
export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const child = logger.child({ component: 'slack' });
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
