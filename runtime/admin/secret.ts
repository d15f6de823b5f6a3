/**
 * The admin session cookie's key: A2B_SECRET when set (every instance behind
 * one address must share it); otherwise a key generated once and kept in the
 * data directory. In production there is no fallback: no secret, no start.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, SECRET_HOWTO, type Config } from '../config.js';

export const SECRET_FILE = 'admin-session.key';

export interface SessionKey {
  key: Buffer;
  /** Where it came from, to say so at startup. */
  source: 'A2B_SECRET' | 'file';
  file?: string;
}

export function loadSessionKey(config: Pick<Config, 'secret' | 'production' | 'dataDir'>): SessionKey {
  if (config.secret !== undefined) return { key: Buffer.from(config.secret, 'hex'), source: 'A2B_SECRET' };
  if (config.production) {
    throw new ConfigError(
      `NODE_ENV=production needs A2B_SECRET (64 hex characters) for the admin session cookie; ${SECRET_HOWTO}`,
    );
  }
  const file = path.join(config.dataDir, SECRET_FILE);
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(text)) return { key: Buffer.from(text, 'hex'), source: 'file', file };
    throw new ConfigError(`${file} does not hold 64 hex characters; delete it to make a new one, or set A2B_SECRET`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  // Private, as the embedded database makes it (runtime/database.ts): whichever of them comes first.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // wx: never overwrite a key another process wrote meanwhile.
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSessionKey(config);
    throw error;
  }
  return { key, source: 'file', file };
}
