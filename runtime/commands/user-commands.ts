/**
 * `a2gen create-admin`, `a2gen users`, `a2gen deactivate`, `a2gen user
 * role`: manage the runtime's `user` table. Logic lives in plain functions taking the Db and
 * streams; registerUserCommands only wires them to commander.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { read } from 'read';
import type { Db } from '../db/db.js';
import { DuplicateKeyError } from '../db/errors.js';
import { MIN_PASSWORD_LENGTH, passwordTooShort } from '../auth/password-policy.js';
import { UserStore, type UserWithRole } from '../auth/user-store.js';
import { checkRoleWith, formatAttributes, parseAttributePairs, type RoleCheck } from '../auth/role-attributes.js';

export interface CommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
}

/** A failure whose message is meant for the user as is. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface CreateAdminOptions {
  username: string;
  email?: string;
}

export async function createAdmin(db: Db, options: CreateAdminOptions, io: CommandIo): Promise<void> {
  const { username, email } = options;
  // Basic auth splits on the first colon: such a name could never log in.
  if (username === '' || username.length > 255 || /[:\x00-\x1f\x7f]/.test(username)) {
    throw new CommandError('username must be 1 to 255 characters, without ":" or control characters');
  }
  if (email !== undefined && (email === '' || email.length > 255)) {
    throw new CommandError('email must be 1 to 255 characters');
  }
  const store = new UserStore(db);
  // Before the prompt, so a database problem shows before anyone types a password.
  await store.ensureTable();
  const password = await readNewPassword(io);
  let outcome: 'created' | 'reset';
  try {
    outcome = await store.createOrResetAdmin({ username, email, password });
  } catch (error) {
    if (error instanceof DuplicateKeyError) {
      throw new CommandError(`${isEmailKey(error) ? 'email' : 'username'} is already used by another user`);
    }
    throw error;
  }
  io.stdout.write(outcome === 'created' ? `created admin user ${username}\n` : `reset password of ${username}\n`);
}

function isEmailKey(error: DuplicateKeyError): boolean {
  return (error.key ?? '').includes('email') || error.columns.includes('email');
}

/** The admin panel's rule (runtime/auth/password-policy.ts), so the CLI cannot set a password the panel would refuse. */
function checkPolicy(password: string): string {
  if (passwordTooShort(password))
    throw new CommandError(`password must be at least ${MIN_PASSWORD_LENGTH} characters (as in the admin panel)`);
  return password;
}

/** Prompts twice without echo on a terminal; otherwise takes the first line of stdin (for scripts). */
export async function readNewPassword(io: CommandIo): Promise<string> {
  if (io.stdin.isTTY === true) {
    // Prompts go to stderr so stdout carries only the result.
    const first = await read({ prompt: 'Password:', silent: true, input: io.stdin, output: io.stderr });
    if (first === '') throw new CommandError('password must not be empty');
    checkPolicy(first);
    const second = await read({ prompt: 'Repeat password:', silent: true, input: io.stdin, output: io.stderr });
    if (first !== second) throw new CommandError('passwords do not match');
    return first;
  }
  const line = await readFirstLine(io.stdin);
  if (line === '') throw new CommandError('no password on standard input (expected it on the first line)');
  return checkPolicy(line);
}

/** The first line of a stream without its line ending; the rest of the stream is left unread. */
export async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end).replace(/\r$/, '');
  }
  return (text + decoder.end()).replace(/\r$/, '');
}

export async function listUsers(db: Db, stdout: Writable): Promise<void> {
  stdout.write(formatUserTable(await new UserStore(db).list()));
}

/** Columns padded to their widest cell; ids right-aligned. */
export function formatUserTable(users: readonly UserWithRole[]): string {
  const yesNo = (flag: boolean) => (flag ? 'yes' : 'no');
  const rows = [
    ['id', 'username', 'email', 'active', 'admin', 'role', 'attributes'],
    ...users.map((user) => [
      String(user.id),
      user.username,
      user.email,
      yesNo(user.active),
      yesNo(user.admin),
      user.roleSet ? user.role : `${user.role} (default)`,
      user.attributes === undefined ? '(unreadable)' : formatAttributes(user.attributes, ','),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padStart(widths[0]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

export async function deactivateUser(db: Db, username: string, stdout: Writable): Promise<void> {
  if (!(await new UserStore(db).deactivate(username))) throw new CommandError(`no user named ${username}`);
  stdout.write(`deactivated ${username}\n`);
}

/**
 * Gives a user a role and its attributes (replacing the ones it had): the
 * service drops the user's cached credentials within half a second.
 */
export async function setUserRole(
  db: Db,
  input: { username: string; role: string; attributes: readonly string[] },
  stdout: Writable,
  checkRole?: RoleCheck,
): Promise<void> {
  let attributes;
  try {
    attributes = parseAttributePairs(input.attributes);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  const problem = checkRoleWith(checkRole)(input.role, attributes);
  if (problem !== undefined) throw new CommandError(problem);
  const store = new UserStore(db);
  const user = await store.findByUsername(input.username);
  if (user === undefined || !(await store.setRole(user.id, input.role, attributes)))
    throw new CommandError(`no user named ${input.username}`);
  const shown = formatAttributes(attributes);
  stdout.write(`${user.username} has the role ${input.role}${shown === '' ? '' : ` with ${shown}`}\n`);
}

/** Opens the Db, runs the task, always closes; returns the exit code after printing any error. */
export async function runUserCommand(
  openDb: () => Promise<Db>,
  task: (db: Db) => Promise<void>,
  stderr: Writable,
): Promise<number> {
  try {
    const db = await openDb();
    try {
      await task(db);
    } finally {
      // A failing close must not hide the task's own error.
      await db.close().catch(() => undefined);
    }
    return 0;
  } catch (error) {
    stderr.write(`a2gen: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const processIo = (): CommandIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

export function registerUserCommands(
  program: Command,
  openDb: () => Promise<Db>,
  io: CommandIo = processIo(),
  /** The roles file's word on a role name, once it is read; the form check always applies. */
  checkRole?: RoleCheck,
): void {
  // exitCode, not process.exit(): pending writes and the Db close finish first.
  const run = async (task: (db: Db) => Promise<void>) => {
    const code = await runUserCommand(openDb, task, io.stderr);
    if (code !== 0) process.exitCode = code;
  };

  program
    .command('create-admin')
    .description('create an active admin user, or reset the password of an existing one and reactivate it')
    .requiredOption('--username <name>', 'login name')
    .option('--email <addr>', 'email address (default: <name>@localhost)')
    .addHelpText(
      'after',
      `\nThe password (at least ${MIN_PASSWORD_LENGTH} characters) is prompted for on a terminal, otherwise read from the first line of standard input.`,
    )
    .action((options: CreateAdminOptions) => run((db) => createAdmin(db, options, io)));

  program
    .command('users')
    .description('list the users that may log in')
    .action(() => run((db) => listUsers(db, io.stdout)));

  program
    .command('deactivate')
    .description('stop a user from logging in (the row is kept)')
    .argument('<name>', 'username')
    .action((name: string) => run((db) => deactivateUser(db, name, io.stdout)));

  program
    .command('user')
    .description("change a user's role")
    .command('role')
    .description('give a user a role and its attributes (replacing the ones it had); bites within a second')
    .argument('<name>', 'username')
    .argument('<role>', 'a role of the roles file (admin: everything, the default)')
    .option('--attr <name=value>', 'an attribute of the role (repeatable), e.g. --attr agent=7', collect)
    .action((username: string, role: string, flags: { attr?: string[] }) =>
      run((db) => setUserRole(db, { username, role, attributes: flags.attr ?? [] }, io.stdout, checkRole)),
    );
}

/** Repeated options gathered; no default, so that help shows none. */
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
