/**
 * /admin/keys/: the API keys (`a2gen_api_key`, never under /api/). List
 * them, create one (its token shown once, on the page that answers the
 * creation, and never again: only its hash is stored), revoke one after a
 * confirmation. A revoked key is refused by every worker and instance
 * within a second (runtime/auth/key-watch.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkApiKeyInput, type ApiKeyField, type ApiKeyInput } from '../auth/api-key-input.js';
import type { ApiKeySummary } from '../auth/api-key-store.js';
import { formatTime } from '../auth/key-expiry.js';
import { formatAttributes } from '../auth/role-attributes.js';
import { DuplicateKeyError } from '../db/errors.js';
import { fieldText, flash, seeOther, sendPage, type AdminContext } from './context.js';
import { html, type SafeHtml } from './html.js';
import { auditAdminChange } from './admin-audit.js';

const LIST = '/admin/keys/';

function field(
  name: ApiKeyField,
  label: string,
  input: SafeHtml,
  errors: ReadonlyMap<string, string>,
  help?: string,
): SafeHtml {
  const error = errors.get(name);
  return html`<div class="field${error ? ' has-error' : ''}"><label for="key-${name}">${label}</label>${input}
  ${error && html`<div class="error">${error}</div>`}${help && html`<div class="help">${help}</div>`}</div>`;
}

function keyForm(form: ApiKeyInput, errors: ReadonlyMap<string, string>, csrf: string): SafeHtml {
  return html`<form class="record panel" method="post" action="/admin/keys/add/" novalidate>
  <input type="hidden" name="_csrf" value="${csrf}">
  ${field('name', 'Name', html`<input id="key-name" name="name" value="${form.name}" maxlength="64" required autocomplete="off">`, errors, 'Unique. Writes made with the key show in the audit trail as key:<name>.')}
  ${field('role', 'Role', html`<input id="key-role" name="role" value="${form.role}" maxlength="64" required autocomplete="off">`, errors, 'What the key may do: a role of the roles file.')}
  ${field('attributes', 'Attributes', html`<textarea id="key-attributes" name="attributes" rows="3">${form.attributes.join('\n')}</textarea>`, errors, 'The role’s parameters, one NAME=VALUE a line (agent=7). Optional.')}
  ${field('owner', 'Owner', html`<input id="key-owner" name="owner" value="${form.owner}" maxlength="255">`, errors, 'Who asked for it, or what uses it. Optional.')}
  ${field('expires', 'Expires', html`<input id="key-expires" name="expires" value="${form.expires}" autocomplete="off">`, errors, 'A duration (90d, 12h, 2w) or a date (2027-01-31, from midnight UTC). Empty: never.')}
  <div class="actions"><button class="primary" type="submit">Create key</button><a class="button" href="${LIST}">Cancel</a></div>
</form>`;
}

function status(key: ApiKeySummary, now: number): SafeHtml {
  if (key.revokedAt !== null) return html`<span class="badge no">revoked ${formatTime(key.revokedAt)}</span>`;
  if (key.expiresAt !== null && key.expiresAt <= now) return html`<span class="badge no">expired</span>`;
  return html`<span class="badge yes">active</span>`;
}

function keyTable(keys: readonly ApiKeySummary[], now: number): SafeHtml {
  if (keys.length === 0) return html`<p>No API keys yet.</p>`;
  return html`<div class="table-wrap"><table>
  <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Attributes</th><th scope="col">Owner</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${keys.map(
    (key) => html`<tr data-key="${key.name}"><td>${key.name}</td><td>${key.role}</td>
    <td class="text">${key.attributes === undefined ? '(unreadable)' : formatAttributes(key.attributes)}</td><td class="text">${key.owner}</td>
    <td>${formatTime(key.createdAt)}</td><td>${key.expiresAt === null ? 'never' : formatTime(key.expiresAt)}</td>
    <td>${key.lastUsedAt === null ? 'never' : formatTime(key.lastUsedAt)}</td><td>${status(key, now)}</td>
    <td>${key.revokedAt === null && html`<a class="button danger" href="/admin/keys/${encodeURIComponent(key.name)}/revoke/">Revoke</a>`}</td></tr>`,
  )}</tbody>
</table></div>`;
}

export function registerKeysPage(app: FastifyInstance, context: AdminContext): void {
  const { apiKeys } = context;
  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    title: string,
    body: (csrf: string) => SafeHtml,
    status = 200,
  ) => sendPage(context, request, reply, { title, current: LIST, status, body });
  const empty: ApiKeyInput = { name: '', role: '', attributes: [], owner: '', expires: '' };

  app.get('/keys/', async (request, reply) => {
    const keys = await apiKeys.list();
    return show(
      request,
      reply,
      'API keys',
      () => html`<div class="head"><h1>API keys</h1><a class="button primary" href="/admin/keys/add/">Add key</a></div>
<p class="lead">Tokens that call the API as <code>Authorization: Bearer &lt;token&gt;</code>, each with a role. Only a hash of each token is kept.</p>
${keyTable(keys, Date.now())}`,
    );
  });

  app.get('/keys/add/', async (request, reply) =>
    show(
      request,
      reply,
      'Add API key',
      (csrf) => html`<div class="head"><h1>Add API key</h1></div>${keyForm(empty, new Map(), csrf)}`,
    ),
  );

  app.post('/keys/add/', async (request, reply) => {
    const form: ApiKeyInput = {
      name: (fieldText(request.body, 'name') ?? '').trim(),
      role: (fieldText(request.body, 'role') ?? '').trim(),
      attributes: (fieldText(request.body, 'attributes') ?? '')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== ''),
      owner: (fieldText(request.body, 'owner') ?? '').trim(),
      expires: (fieldText(request.body, 'expires') ?? '').trim(),
    };
    const again = (errors: ReadonlyMap<string, string>, status: number) =>
      sendPage(context, request, reply, {
        title: 'Add API key',
        current: LIST,
        status,
        flashes: [{ kind: 'error', text: 'Please correct the fields marked below.' }],
        body: (csrf) => html`<div class="head"><h1>Add API key</h1></div>${keyForm(form, errors, csrf)}`,
      });
    const checked = checkApiKeyInput(form, Date.now(), context.checkRole);
    if (checked.errors !== undefined) return again(checked.errors, 400);
    let token: string;
    try {
      ({ token } = await apiKeys.create(checked.key));
      await auditAdminChange(context, request, {
        action: 'create',
        resource: 'apikey',
        key: checked.key.name.slice(0, 40),
        before: null,
        after: { ...checked.key, attributes: JSON.stringify(checked.key.attributes) },
      });
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      return again(new Map([['name', 'A key with this name exists already.']]), 409);
    }
    // The one time the token exists outside the client: on this answer (never cached: no-store), not in a redirect.
    return sendPage(context, request, reply, {
      title: `API key ${checked.key.name}`,
      current: LIST,
      status: 201,
      flashes: [{ kind: 'success', text: `Created API key ${checked.key.name}.` }],
      body: () => html`<div class="head"><h1>API key ${checked.key.name}</h1></div>
<section class="panel">
<div class="flash warning" role="alert">Copy the token now: it will not be shown again. Only a hash of it is kept.</div>
<div class="field"><label for="api-key-token">Token</label><input id="api-key-token" class="token" value="${token}" readonly spellcheck="false" autocomplete="off"></div>
<p>Send it as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<div class="actions"><a class="button primary" href="${LIST}">Done</a></div>
</section>`,
    });
  });

  const load = async (request: FastifyRequest, reply: FastifyReply) => {
    const name = (request.params as { name: string }).name;
    const key = await apiKeys.find(name);
    if (key === undefined) {
      flash(request, 'error', `There is no API key ${name}.`);
      void seeOther(reply, LIST);
    }
    return key;
  };

  app.get('/keys/:name/revoke/', async (request, reply) => {
    const key = await load(request, reply);
    if (key === undefined) return reply;
    if (key.revokedAt !== null) {
      flash(request, 'info', `API key ${key.name} was revoked already.`);
      return seeOther(reply, LIST);
    }
    return show(
      request,
      reply,
      `Revoke API key ${key.name}`,
      (csrf) => html`<div class="head"><h1>Revoke API key ${key.name}?</h1></div>
<div class="flash warning">Every client using it is refused within a second. This cannot be undone: a new key gets a new token.</div>
<form method="post" action="/admin/keys/${encodeURIComponent(key.name)}/revoke/" class="bulk">
  <input type="hidden" name="_csrf" value="${csrf}">
  <button type="submit" class="danger solid">Yes, revoke ${key.name}</button>
  <a class="button" href="${LIST}">Cancel</a>
</form>`,
    );
  });

  app.post('/keys/:name/revoke/', async (request, reply) => {
    const key = await load(request, reply);
    if (key === undefined) return reply;
    const outcome = await apiKeys.revoke(key.name);
    if (outcome === 'revoked') {
      await auditAdminChange(context, request, {
        action: 'update',
        resource: 'apikey',
        key: key.name.slice(0, 40),
        before: { revoked: false },
        after: { revoked: true },
      });
      flash(request, 'success', `Revoked API key ${key.name}.`);
    } else flash(request, 'info', `API key ${key.name} was revoked already.`);
    return seeOther(reply, LIST);
  });
}
