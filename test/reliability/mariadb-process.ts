/**
 * A MariaDB server the test owns: its own data directory and port on
 * 127.0.0.1, started from the installed mariadbd with --no-defaults, so a
 * test can kill it, freeze it and start it again without touching the
 * machine's own server. With a server id it writes a binary log and can be
 * the primary or the replica of another MariaDbProcess (GTID replication).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);
const MARIADBD = process.env.A2B_TEST_MARIADBD ?? '/usr/sbin/mariadbd';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface MariaDbOptions {
  /** Replication: a unique server id turns the binary log on (needed by a primary, harmless on a replica). */
  serverId?: number;
}

export class MariaDbProcess {
  private child: ChildProcess | undefined;

  private constructor(
    readonly directory: string,
    readonly port: number,
    readonly options: MariaDbOptions,
  ) {}

  /** Creates the data directory (a few seconds); the server is not started yet. */
  static async create(options: MariaDbOptions = {}): Promise<MariaDbProcess> {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'a2gen-mariadb-'));
    await run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${path.join(directory, 'data')}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
    return new MariaDbProcess(directory, await freePort(), options);
  }

  /** A URL for the service: root without a password, over TCP. */
  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${path.join(this.directory, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.directory, 'mysqld.sock')}`,
        `--pid-file=${path.join(this.directory, 'mysqld.pid')}`,
        '--user=root',
        ...(this.options.serverId === undefined
          ? ['--skip-log-bin']
          : [
              `--server-id=${this.options.serverId}`,
              `--log-bin=${path.join(this.directory, 'data', 'binlog')}`,
              '--binlog-format=ROW',
            ]),
      ],
      { stdio: 'ignore' },
    );
    for (let waited = 0; waited < 30_000; waited += 100) {
      try {
        const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
        await connection.end();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`mariadbd did not answer on port ${this.port} within 30 s`);
  }

  /** SIGKILL: the server dies mid-flight, as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /**
   * SIGSTOP / SIGCONT: the server keeps its connections open but answers nothing. Resolves once the
   * kernel reports it stopped: a signal takes a moment to reach every thread of a busy server, and a
   * query answered in that moment would look like a frozen server answering.
   */
  async freeze(): Promise<void> {
    const child = this.child;
    if (child?.pid === undefined) return;
    child.kill('SIGSTOP');
    const stopped = () => /^\d+ \(.*\) [tT] /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8'));
    for (let waited = 0; !stopped() && waited < 5000; waited += 5) await sleep(5);
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /**
   * Makes this server a replica of `primary` from the start of its binary log
   * (both were created empty by mariadb-install-db, so nothing is missing).
   */
  async replicate(primary: MariaDbProcess): Promise<void> {
    const connection = await this.admin();
    try {
      await connection.query(
        `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${primary.port}, MASTER_USER = 'root', MASTER_PASSWORD = '', ` +
          'MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1',
      );
      await connection.query('START SLAVE');
    } finally {
      await connection.end();
    }
  }

  async admin(): Promise<mysql.Connection> {
    return mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', multipleStatements: true });
  }

  async destroy(): Promise<void> {
    this.thaw();
    await this.kill();
    await rm(this.directory, { recursive: true, force: true });
  }
}
