/**
 * Starts the real service on 127.0.0.1 (a random free port) over a test
 * backend, with one active user, and gives tests a small HTTP client.
 */
import type { FastifyInstance } from 'fastify';
import { models } from '../../generated/index.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { loadConfig, type Config } from '../../runtime/config.js';
import type { Db } from '../../runtime/db/db.js';
import { buildServer } from '../../runtime/server.js';
import { createBackend, type Backend, type BackendName } from './backends.js';

export const USERNAME = 'operator';
export const PASSWORD = 'correct horse battery staple';

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  json: any;
}

export interface RequestOptions {
  method?: string;
  /** An object is sent as JSON; a string or bytes as they are (fetch labels a string text/plain, bytes not at all). */
  body?: unknown;
  headers?: Record<string, string>;
  /** false to send no credentials; a string for a custom Authorization header. */
  auth?: false | string;
}

export interface Service {
  backend: Backend;
  app: FastifyInstance;
  baseUrl: string;
  request(path: string, options?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

export const basicAuth = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

export async function startService(
  name: BackendName,
  overrides: Partial<Config> = {},
  /** Wraps the database the service uses (the test's raw access stays direct). */
  wrap: (db: Db) => Db = (db) => db,
): Promise<Service> {
  const backend = await createBackend(name);
  await new UserStore(backend.db).createOrResetAdmin({ username: USERNAME, password: PASSWORD });
  const config = { ...loadConfig({}), ...overrides };
  const app = await buildServer({ db: wrap(backend.db), models, config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const authorization = basicAuth(USERNAME, PASSWORD);

  async function request(path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== false) headers.authorization = options.auth ?? authorization;
    let body: string | Uint8Array | undefined;
    if (typeof options.body === 'string' || options.body instanceof Uint8Array) body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(baseUrl + path, { method: options.method ?? 'GET', headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  return {
    backend,
    app,
    baseUrl,
    request,
    async close() {
      await app.close();
      await backend.cleanup();
    },
  };
}
