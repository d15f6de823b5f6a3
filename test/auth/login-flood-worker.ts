/**
 * A flood of requests sent from a worker thread: the attackers are other
 * machines, so their client work (300 connections opened, read and closed)
 * must not run on the event loop of the service under test, which would
 * make a real user's answer look slower than the service makes it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { send, type SendOptions } from './login-clients.js';

const { baseUrl, requests } = workerData as { baseUrl: string; requests: (SendOptions & { path: string })[] };
const answers = await Promise.all(requests.map(({ path, ...options }) => send(baseUrl, path, options)));
parentPort!.postMessage(answers);
