/**
 * Notices changes to the `user` table, however they were made (the admin
 * panel of another worker or instance, `a2gen deactivate`, a DBA's UPDATE),
 * within one interval, with one small query per interval instead of one per
 * request: the state of each user (active, admin flag, session version and
 * a digest of the password hash, role and attributes) is compared with the previous reading, and
 * the users whose state moved, who are new or who are gone are reported.
 */
import type { Db } from '../db/db.js';
import { IntervalWatch } from './interval-watch.js';
import { passwordDigest } from './session-store.js';

export const READ_USERS =
  'SELECT `id`, `active`, `admin`, `session_version`, `password`, `role`, `attributes` FROM `user`';

/** A user as the watch last read it; undefined in a change when the user was deleted. */
export interface WatchedUser {
  active: boolean;
  admin: boolean;
}

export interface UserWatchOptions {
  intervalMs: number;
  /** Users whose state moved since the last reading, with their new state. */
  onChange: (changes: ReadonlyMap<number, WatchedUser | undefined>) => void | Promise<void>;
  /** A reading that failed (the database is down): reported once until one succeeds again. */
  onError: (error: unknown) => void;
}

export class UserWatch {
  private states: Map<number, string> | undefined;
  private readonly watch: IntervalWatch;

  constructor(
    private readonly db: Db,
    private readonly options: UserWatchOptions,
  ) {
    this.watch = new IntervalWatch({
      intervalMs: options.intervalMs,
      read: () => this.read(),
      onError: options.onError,
    });
  }

  start(): void {
    void this.watch.start();
  }

  stop(): void {
    this.watch.stop();
  }

  /** One reading; a reading still running (a slow database) is not overtaken by the next. */
  check(): Promise<void> {
    return this.watch.check();
  }

  private async read(): Promise<void> {
    const rows = await this.db.all(READ_USERS);
    const states = new Map<number, string>();
    const users = new Map<number, WatchedUser>();
    for (const row of rows) {
      const id = Number(row.id);
      const user = { active: Number(row.active) !== 0, admin: Number(row.admin) !== 0 };
      users.set(id, user);
      // The role and its attributes as stored: a change of either drops the user's cached credentials.
      const role = JSON.stringify([row.role ?? null, row.attributes ?? null]);
      states.set(
        id,
        `${user.active}:${user.admin}:${row.session_version}:${passwordDigest(String(row.password))}:${role}`,
      );
    }
    const previous = this.states;
    this.states = states;
    if (previous === undefined) return;
    // A user new since the last reading counts as changed too: it may have been created, used and
    // deactivated in between, so this process may hold a credential verified while it was active.
    const changes = new Map<number, WatchedUser | undefined>();
    for (const [id, state] of states) if (previous.get(id) !== state) changes.set(id, users.get(id));
    for (const id of previous.keys()) if (!states.has(id)) changes.set(id, undefined);
    if (changes.size > 0) await this.options.onChange(changes);
  }
}
