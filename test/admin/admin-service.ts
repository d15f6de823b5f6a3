/**
 * The real service with the admin panel, over a test backend, and a small
 * form-posting client that keeps the session cookie like a browser does.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { models } from '../../generated/index.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import type { Db } from '../../runtime/db/db.js';
import { loadConfig, type Config } from '../../runtime/config.js';
import { buildServer } from '../../runtime/server.js';
import { wrapDb } from '../helpers/wrapped-db.js';
import { createBackend, type Backend, type BackendName } from '../helpers/backends.js';
import { basicAuth, PASSWORD, USERNAME } from '../helpers/service.js';

export { PASSWORD, USERNAME };

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  /** The redirect target, for 3xx answers. */
  location: string | null;
}

export type Form = Record<string, string | string[]>;

export interface AdminClient {
  get(path: string): Promise<Page>;
  /** Posts a form; `_csrf` is added from the last page that had one unless the form sets it. */
  post(path: string, form?: Form): Promise<Page>;
  /** Signs in and returns the answer to the POST. */
  login(username?: string, password?: string, next?: string): Promise<Page>;
  cookie: string | undefined;
  csrf: string | undefined;
}

export interface AdminService {
  backend: Backend;
  app: FastifyInstance;
  baseUrl: string;
  users: UserStore;
  /** Every SQL statement the service ran, in order (tests clear it to count the queries of one request). */
  statements: string[];
  client(): AdminClient;
  /** An API request with Basic auth. */
  api(path: string, init?: { method?: string; body?: unknown; auth?: string }): Promise<{ status: number; json: any }>;
  /** Creates a row through the API (POST `path`) and returns it; any other answer than a success throws. */
  create(path: string, body: object): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export async function startAdminService(
  name: BackendName,
  overrides: Partial<Config> = {},
  /** Wraps the database the service uses (the test's raw access stays direct). */
  wrap: (db: Db) => Db = (db) => db,
): Promise<AdminService> {
  const backend = await createBackend(name);
  const users = new UserStore(backend.db);
  await users.createOrResetAdmin({ username: USERNAME, password: PASSWORD });
  const config = { ...loadConfig({}), ...overrides };
  const statements: string[] = [];
  const recording = wrapDb(backend.db, {
    all: (sql, params) => (statements.push(sql), backend.db.all(sql, params)),
    run: (sql, params) => (statements.push(sql), backend.db.run(sql, params)),
  });
  const db = wrap(recording);
  const app = await buildServer({
    db,
    models,
    config,
    logger: false,
    openapi: false,
    admin: { sessionKey: randomBytes(32) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const api: AdminService['api'] = async (path, init = {}) => {
    const response = await fetch(baseUrl + path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: init.auth ?? basicAuth(USERNAME, PASSWORD),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  };

  return {
    backend,
    app,
    baseUrl,
    users,
    statements,
    client: () => adminClient(baseUrl),
    api,
    async create(path, body) {
      const response = await api(path, { method: 'POST', body });
      if (response.status !== 200 && response.status !== 201)
        throw new Error(`${path}: ${response.status} ${JSON.stringify(response.json)}`);
      return response.json as Record<string, any>;
    },
    async close() {
      await app.close();
      await backend.cleanup();
    },
  };
}

/** A form-posting client of the admin panel at `baseUrl` (this service's, or a spawned one's). */
export function adminClient(baseUrl: string): AdminClient {
  const state: AdminClient = {
    cookie: undefined,
    csrf: undefined,
    async get(path) {
      return send(path, { method: 'GET' });
    },
    async post(path, form = {}) {
      const body = new URLSearchParams();
      if (!('_csrf' in form) && state.csrf !== undefined) body.append('_csrf', state.csrf);
      for (const [key, value] of Object.entries(form))
        for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
      return send(path, {
        method: 'POST',
        body: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    },
    async login(username = USERNAME, password = PASSWORD, next) {
      await state.get('/admin/login');
      const answer = await state.post('/admin/login', {
        username,
        password,
        ...(next === undefined ? {} : { next }),
      });
      // A new session gets a new CSRF secret: pick up its token the way a browser would, from the next page.
      if (answer.status === 303) await state.get('/admin/user/add/');
      return answer;
    },
  };
  async function send(
    path: string,
    init: { method: string; body?: string; headers?: Record<string, string> },
  ): Promise<Page> {
    const headers: Record<string, string> = { ...init.headers };
    if (state.cookie) headers.cookie = state.cookie;
    const response = await fetch(baseUrl + path, {
      method: init.method,
      body: init.body,
      headers,
      redirect: 'manual',
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      state.cookie = /=$/.test(pair) || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(setCookie) ? undefined : pair;
    }
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) state.csrf = token[1];
    return { status: response.status, headers: response.headers, text, location: response.headers.get('location') };
  }
  return state;
}
