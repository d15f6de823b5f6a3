/**
 * Configuration from environment variables, and from a `.env` file in the
 * working directory when there is one (variables already set win). Shared
 * by the server and the CLI so both always open the same database.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parseTrustedProxies } from './trusted-proxies.js';

export interface Config {
  port: number;
  host: string;
  /** mysql://user:pass@host:3306/a2billing, or undefined for the embedded SQLite file. */
  databaseUrl: string | undefined;
  /** A2B_DATABASE_READ_URL: a replica of databaseUrl that serves reads (see runtime/db/read-write-split.ts). */
  databaseReadUrl: string | undefined;
  /** A client that wrote less than this long ago reads from the primary, so it sees its own write. */
  readYourWritesMs: number;
  /** Where the embedded database (and other local state) lives. */
  dataDir: string;
  logLevel: string;
  /** Largest `limit` a list request may ask for. */
  maxLimit: number;
  /** Most rows one bulk create may carry (A2B_MAX_BULK). */
  maxBulk: number;
  /** Largest request body, in bytes. */
  bodyLimit: number;
  /** A request whose headers and body have not all arrived after this long is answered 408 and closed. */
  requestTimeoutMs: number;
  /**
   * A2B_ALLOWED_ORIGINS: web origins (`https://crm.example.com`) whose pages may write through the API
   * from a browser. Any other site's Origin on a POST, PUT, PATCH or DELETE is a 403 (runtime/http/cross-site.ts).
   */
  allowedOrigins: readonly string[];
  /** Failed logins one address may make per window before 429. */
  authMaxFailures: number;
  authWindowSeconds: number;
  /** How long a verified Basic credential is trusted without re-hashing. */
  authCacheSeconds: number;
  dbPoolSize: number;
  /** Session time zone for TIMESTAMP values on MySQL. */
  dbTimeZone: string;
  /** A MySQL statement unanswered after this long fails with 503. */
  dbQueryTimeoutMs: number;
  /** On SIGTERM, how long requests in flight may take before the process exits anyway. */
  shutdownGraceMs: number;
  /** Event-loop delay past which requests are shed with 503 instead of queueing (0 turns it off). */
  maxEventLoopDelayMs: number;
  /** Admin panel: A2B_SECRET, the session cookie key as 64 hex characters, when set. */
  secret: string | undefined;
  /** NODE_ENV=production: the admin panel then refuses to start without A2B_SECRET. */
  production: boolean;
  /** Admin panel: always mark the session cookie Secure; otherwise it is Secure when the request came over HTTPS. */
  secureCookie: boolean;
  /** An unfinished refill or charge untouched this long was left by a stopped process, and is finished. */
  recoverAfterMs: number;
  /** A2B_TRUST_PROXY: proxies whose X-Forwarded-For/-Proto count (runtime/trusted-proxies.ts); empty: none. */
  trustProxy: readonly string[];
  /** The roles file (A2B_ROLES_FILE, else roles.json in the working directory; see runtime/access/roles-file.ts). */
  rolesFile: string;
  /** A2B_ROLES_FILE was set: the file must be there. Without it, a missing roles.json means one role, admin. */
  rolesFileRequired: boolean;
  /** Every write appends a row to a2gen_audit; A2B_AUDIT=off turns that off. */
  audit: boolean;
  /**
   * A2B_METRICS_PORT: serve /metrics there, without auth, for a Prometheus scraper.
   * Unset: /metrics is on the main port, behind the API's Basic auth.
   */
  metricsPort: number | undefined;
  /** Where the separate metrics listener binds: loopback unless told otherwise. */
  metricsHost: string;
}

/** How to make an A2B_SECRET, for the messages that ask for one. */
export const SECRET_HOWTO =
  'make one with: openssl rand -hex 32   (or: node -e "console.log(crypto.randomBytes(32).toString(\'hex\'))")';

function secretOf(env: NodeJS.ProcessEnv): string | undefined {
  const text = env.A2B_SECRET?.trim();
  if (text === undefined || text === '') return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new ConfigError(
      `A2B_SECRET must be 64 hex characters (32 random bytes); got ${text.length} characters. ${SECRET_HOWTO}`,
    );
  }
  return text.toLowerCase();
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present) into a copy of `env`, never overriding what is already set. */
export function withDotEnv(env: NodeJS.ProcessEnv, directory = process.cwd()): NodeJS.ProcessEnv {
  const file = path.join(directory, '.env');
  if (!existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return value;
}

function trustedProxies(text: string | undefined): readonly string[] {
  try {
    return parseTrustedProxies(text);
  } catch (error) {
    throw new ConfigError(`A2B_TRUST_PROXY: ${(error as Error).message}`);
  }
}

/** A2B_ALLOWED_ORIGINS: comma- or space-separated origins, each scheme://host[:port] and nothing more. */
function originsSetting(value: string | undefined): string[] {
  const origins: string[] = [];
  for (const text of (value ?? '').split(/[\s,]+/)) {
    if (text === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    const bare = url !== undefined && url.pathname === '/' && url.search === '' && url.hash === '';
    if (url === undefined || !/^https?:$/.test(url.protocol) || !bare || url.username !== '' || url.password !== '') {
      throw new ConfigError(
        `A2B_ALLOWED_ORIGINS takes origins such as https://crm.example.com or http://localhost:3000, separated by commas (got "${text}")`,
      );
    }
    // As browsers send it: lower case, no default port, no trailing slash.
    origins.push(url.origin);
  }
  return origins;
}

function auditSetting(value: string | undefined): boolean {
  if (value === undefined || value === '' || /^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`A2B_AUDIT must be on or off (got "${value}")`);
}

export function loadConfig(env: NodeJS.ProcessEnv = withDotEnv(process.env)): Config {
  const databaseUrl = env.A2B_DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^mysql:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      `A2B_DATABASE_URL must start with mysql:// (got "${databaseUrl.replace(/:[^:@/]*@/, ':****@')}")`,
    );
  }
  const databaseReadUrl = env.A2B_DATABASE_READ_URL?.trim() || undefined;
  if (databaseReadUrl !== undefined && (databaseUrl === undefined || !/^mysql:\/\//.test(databaseReadUrl))) {
    throw new ConfigError(
      'A2B_DATABASE_READ_URL must start with mysql:// and needs A2B_DATABASE_URL (the primary) as well',
    );
  }
  const timeZone = env.A2B_DB_TIMEZONE ?? '+00:00';
  if (!/^[+-]\d{2}:\d{2}$/.test(timeZone))
    throw new ConfigError(`A2B_DB_TIMEZONE must look like +00:00 (got "${timeZone}")`);
  const port = integer(env, 'PORT', 8008, 0, 65535);
  const metricsPort = env.A2B_METRICS_PORT ? integer(env, 'A2B_METRICS_PORT', 0, 0, 65535) : undefined;
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(
      `A2B_METRICS_PORT must differ from PORT (both ${port}); unset it to serve /metrics on the main port, behind auth`,
    );
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    databaseReadUrl,
    readYourWritesMs: integer(env, 'A2B_READ_YOUR_WRITES_MS', 5000, 0, 3_600_000),
    dataDir: path.resolve(env.A2B_DATA_DIR || 'data'),
    logLevel: env.A2B_LOG_LEVEL || 'info',
    maxLimit: integer(env, 'A2B_MAX_LIMIT', 100, 1, 10000),
    maxBulk: integer(env, 'A2B_MAX_BULK', 1000, 1, 100000),
    bodyLimit: integer(env, 'A2B_BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 * 1024),
    requestTimeoutMs: integer(env, 'A2B_REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    allowedOrigins: originsSetting(env.A2B_ALLOWED_ORIGINS),
    authMaxFailures: integer(env, 'A2B_AUTH_MAX_FAILURES', 10, 1, 1_000_000),
    authWindowSeconds: integer(env, 'A2B_AUTH_WINDOW_SECONDS', 60, 1, 86_400),
    authCacheSeconds: integer(env, 'A2B_AUTH_CACHE_SECONDS', 30, 0, 3600),
    dbPoolSize: integer(env, 'A2B_DB_POOL_SIZE', 10, 1, 1000),
    dbTimeZone: timeZone,
    dbQueryTimeoutMs: integer(env, 'A2B_DB_QUERY_TIMEOUT_MS', 10_000, 100, 600_000),
    shutdownGraceMs: integer(env, 'A2B_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    maxEventLoopDelayMs: integer(env, 'A2B_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
    secret: secretOf(env),
    production: env.NODE_ENV === 'production',
    secureCookie: /^(1|true|yes)$/i.test(env.A2B_SECURE_COOKIE ?? ''),
    trustProxy: trustedProxies(env.A2B_TRUST_PROXY),
    recoverAfterMs: integer(env, 'A2B_RECOVER_AFTER_MS', 10_000, 100, 3_600_000),
    audit: auditSetting(env.A2B_AUDIT),
    rolesFile: path.resolve(env.A2B_ROLES_FILE?.trim() || 'roles.json'),
    rolesFileRequired: Boolean(env.A2B_ROLES_FILE?.trim()),
    metricsPort,
    metricsHost: env.A2B_METRICS_HOST || '127.0.0.1',
  };
}
