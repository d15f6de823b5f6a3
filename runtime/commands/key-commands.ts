/**
 * `a2gen key create|list|revoke`: API keys in `a2gen_api_key`. The token is
 * printed once, alone on the last line of `key create` (scripts take it with
 * `tail -n1`), and never again: the table holds only its hash.
 */
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Db } from '../db/db.js';
import { DuplicateKeyError } from '../db/errors.js';
import { checkApiKeyInput, type ApiKeyInput } from '../auth/api-key-input.js';
import { ApiKeyStore, type ApiKeySummary } from '../auth/api-key-store.js';
import { formatTime } from '../auth/key-expiry.js';
import { formatAttributes, type RoleCheck } from '../auth/role-attributes.js';
import { CommandError, runUserCommand, type CommandIo } from './user-commands.js';

export interface KeyCommandOptions {
  /** The roles file's word on a role name, once it is read; the form check always applies. */
  checkRole?: RoleCheck;
  now?: () => number;
}

export async function createKey(
  db: Db,
  input: ApiKeyInput,
  stdout: Writable,
  options: KeyCommandOptions = {},
): Promise<void> {
  const checked = checkApiKeyInput(input, (options.now ?? Date.now)(), options.checkRole);
  if (checked.errors !== undefined) throw new CommandError([...checked.errors.values()].join('; '));
  const { key } = checked;
  let token: string;
  try {
    ({ token } = await new ApiKeyStore(db, options.now).create(key));
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new CommandError(`a key named ${key.name} already exists`);
    throw error;
  }
  const attributes = formatAttributes(key.attributes);
  stdout.write(
    [
      `created API key ${key.name}: role ${key.role}` +
        (attributes === '' ? '' : `, attributes ${attributes}`) +
        (key.owner === '' ? '' : `, owner ${key.owner}`) +
        `, ${key.expiresAt === null ? 'never expires' : `expires ${formatTime(key.expiresAt)}`}`,
      'the token is shown only this once (send it as "Authorization: Bearer <token>"):',
      token,
      '',
    ].join('\n'),
  );
}

export async function listKeys(db: Db, stdout: Writable): Promise<void> {
  stdout.write(formatKeyTable(await new ApiKeyStore(db).list()));
}

/** Columns padded to their widest cell; never the token or its hash, which the summary does not hold. */
export function formatKeyTable(keys: readonly ApiKeySummary[]): string {
  const rows = [
    ['name', 'role', 'attributes', 'owner', 'created', 'expires', 'last used', 'revoked'],
    ...keys.map((key) => [
      key.name,
      key.role,
      key.attributes === undefined ? '(unreadable)' : formatAttributes(key.attributes, ','),
      key.owner,
      formatTime(key.createdAt),
      key.expiresAt === null ? 'never' : formatTime(key.expiresAt),
      key.lastUsedAt === null ? 'never' : formatTime(key.lastUsedAt),
      formatTime(key.revokedAt),
    ]),
  ].map((row) => row.map((cell) => (cell === '' ? '-' : cell)));
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export async function revokeKey(db: Db, name: string, stdout: Writable): Promise<void> {
  const outcome = await new ApiKeyStore(db).revoke(name);
  if (outcome === 'missing') throw new CommandError(`no API key named ${name}`);
  stdout.write(
    outcome === 'revoked'
      ? `revoked API key ${name}: refused everywhere within a second\n`
      : `API key ${name} was revoked already\n`,
  );
}

const processIo = (): CommandIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** Repeated options gathered; no default, so that help shows none. */
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerKeyCommands(
  program: Command,
  openDb: () => Promise<Db>,
  options: KeyCommandOptions = {},
  io: CommandIo = processIo(),
): void {
  const run = async (task: (db: Db) => Promise<void>) => {
    const code = await runUserCommand(openDb, task, io.stderr);
    if (code !== 0) process.exitCode = code;
  };
  const key = program.command('key').description('API keys: call /api/ with "Authorization: Bearer <token>"');

  key
    .command('create')
    .description('create an API key and print its token, once, alone on the last line')
    .requiredOption('--name <name>', 'unique name; the audit trail records writes as key:<name>')
    .requiredOption('--role <role>', 'what the key may do (a role of the roles file)')
    .option('--attr <name=value>', 'an attribute of the role (repeatable), e.g. --attr agent=7', collect)
    .option('--owner <text>', 'who asked for it, or what uses it (free text)')
    .option('--expires <when>', 'a duration (90d, 12h, 2w) or an ISO date (2027-01-31, midnight UTC); default: never')
    .action((flags: { name: string; role: string; attr?: string[]; owner?: string; expires?: string }) =>
      run((db) =>
        createKey(
          db,
          {
            name: flags.name,
            role: flags.role,
            attributes: flags.attr ?? [],
            owner: flags.owner ?? '',
            expires: flags.expires ?? '',
          },
          io.stdout,
          options,
        ),
      ),
    );

  key
    .command('list')
    .description('list the API keys (never their tokens)')
    .action(() => run((db) => listKeys(db, io.stdout)));

  key
    .command('revoke')
    .description('stop an API key from working, on every worker and instance within a second (the row is kept)')
    .argument('<name>', 'the key name')
    .action((name: string) => run((db) => revokeKey(db, name, io.stdout)));
}
