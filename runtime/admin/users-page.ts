/**
 * /admin/user/: the runtime's own `user` table (not a schema model, never
 * under /api/). List, create, reset a password (stored hashed, never shown),
 * set the admin flag, activate or deactivate, set the role and its
 * attributes (an empty role: the default, admin). Nobody can deactivate or
 * demote themselves, so the panel always keeps an admin who can sign in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hashPassword } from '../auth/password.js';
import { MIN_PASSWORD_LENGTH, passwordTooShort } from '../auth/password-policy.js';
import { DEFAULT_ROLE } from '../access/principal.js';
import {
  attributesJson,
  checkRoleWith,
  formatAttributes,
  parseAttributeLines,
  type Attributes,
} from '../auth/role-attributes.js';
import type { UserSummary, UserWithRole } from '../auth/user-store.js';
import { DuplicateKeyError } from '../db/errors.js';
import { fieldText, flash, seeOther, sendPage, type AdminContext } from './context.js';
import { attr, html, type SafeHtml } from './html.js';
import { auditAdminChange, changedValues, MASKED } from './admin-audit.js';

const LIST = '/admin/user/';

interface UserForm {
  username: string;
  email: string;
  active: boolean;
  admin: boolean;
  /** Empty: the default role (NULL in the table). */
  role: string;
  /** One NAME=VALUE a line. */
  attributes: string;
}

/** What the form shows of a stored user's role. */
/** A user's fields as the audit trail keeps them (the password is masked by the caller). */
function auditedUser(
  form: Pick<UserForm, 'username' | 'email' | 'active' | 'admin'>,
  role: { role: string | null; attributes: Record<string, string> },
): Record<string, unknown> {
  return {
    username: form.username,
    email: form.email,
    active: form.active,
    admin: form.admin,
    role: role.role ?? DEFAULT_ROLE,
    attributes: attributesJson(role.attributes),
  };
}

function roleFields(user: UserWithRole): Pick<UserForm, 'role' | 'attributes'> {
  return { role: user.roleSet ? user.role : '', attributes: formatAttributes(user.attributes ?? {}, '\n') };
}

function roleBadge(user: UserWithRole): SafeHtml {
  const attributes = user.attributes === undefined ? '(unreadable attributes)' : formatAttributes(user.attributes);
  return html`${user.roleSet ? user.role : html`${DEFAULT_ROLE} <span class="badge">default</span>`}${attributes && html` <span class="help">${attributes}</span>`}`;
}

function badge(on: boolean, yes: string, no: string): SafeHtml {
  return html`<span class="badge ${on ? 'yes' : 'no'}">${on ? yes : no}</span>`;
}

function field(name: string, label: string, input: SafeHtml, errors: Map<string, string>, help?: string): SafeHtml {
  const error = errors.get(name);
  return html`<div class="field${error ? ' has-error' : ''}"><label for="user-${name}">${label}</label>${input}
  ${error && html`<div class="error">${error}</div>`}${help && html`<div class="help">${help}</div>`}</div>`;
}

function userForm(
  form: UserForm,
  errors: Map<string, string>,
  csrf: string,
  user: UserSummary | undefined,
  self: boolean,
): SafeHtml {
  const action = user ? `/admin/user/${user.id}/` : '/admin/user/add/';
  return html`<form class="record panel" method="post" action="${action}" novalidate>
  <input type="hidden" name="_csrf" value="${csrf}">
  ${
    user
      ? html`<div class="field"><label>Username</label><div class="static">${user.username}</div></div>`
      : field(
          'username',
          'Username',
          html`<input id="user-username" name="username" value="${form.username}" maxlength="255" required autocomplete="off">`,
          errors,
        )
  }
  ${field('email', 'Email', html`<input id="user-email" name="email" type="email" value="${form.email}" maxlength="255" required>`, errors)}
  ${field(
    'password',
    user ? 'New password' : 'Password',
    html`<input id="user-password" name="password" type="password" autocomplete="new-password"${attr('required', !user)}${attr('placeholder', user ? 'unchanged' : undefined)}>`,
    errors,
    `At least ${MIN_PASSWORD_LENGTH} characters. Stored hashed; never shown.${user ? ' Leave empty to keep the current one.' : ''}`,
  )}
  ${field('password2', 'Repeat password', html`<input id="user-password2" name="password2" type="password" autocomplete="new-password">`, errors)}
  <div class="field"><label><input type="checkbox" name="active" value="1"${attr('checked', form.active)}${attr('disabled', self)}> Active</label>
    <div class="help">Inactive users can neither call the API nor sign in here.${self ? ' You cannot deactivate yourself.' : ''}</div>
    ${errors.get('active') && html`<div class="error">${errors.get('active')}</div>`}</div>
  <div class="field"><label><input type="checkbox" name="admin" value="1"${attr('checked', form.admin)}${attr('disabled', self)}> Admin</label>
    <div class="help">Admins may sign in to this panel; every active user may use the API.${self ? ' You cannot remove your own admin flag.' : ''}</div>
    ${errors.get('admin') && html`<div class="error">${errors.get('admin')}</div>`}</div>
  ${field('role', 'Role', html`<input id="user-role" name="role" value="${form.role}" maxlength="64" autocomplete="off" placeholder="${DEFAULT_ROLE}">`, errors, `What the user may do through the API: a role of the roles file. Empty: ${DEFAULT_ROLE}, everything.`)}
  ${field('attributes', 'Role attributes', html`<textarea id="user-attributes" name="attributes" rows="3">${form.attributes}</textarea>`, errors, 'The role’s parameters, one NAME=VALUE a line (agent=7). Optional.')}
  <div class="actions"><button class="primary" type="submit">Save</button><a class="button" href="${LIST}">Cancel</a></div>
</form>`;
}

/** The role and attributes to store (a null role: the default), or undefined after setting the field errors. */
function checkRole(
  form: UserForm,
  errors: Map<string, string>,
  extra: AdminContext['checkRole'],
): { role: string | null; attributes: Attributes } | undefined {
  let attributes: Attributes = {};
  try {
    attributes = parseAttributeLines(form.attributes);
  } catch (error) {
    errors.set('attributes', `${(error as Error).message}.`);
  }
  const problem = form.role === '' ? undefined : checkRoleWith(extra)(form.role, attributes);
  if (problem !== undefined) errors.set('role', `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`);
  if (form.role === '' && Object.keys(attributes).length > 0)
    errors.set('attributes', 'Attributes need a role: give one above.');
  return errors.size > 0 ? undefined : { role: form.role === '' ? null : form.role, attributes };
}

/** Checks the form; returns the field errors. */
function check(form: UserForm, password: string, password2: string, creating: boolean): Map<string, string> {
  const errors = new Map<string, string>();
  if (creating && (form.username === '' || form.username.length > 255 || /[:\x00-\x1f\x7f]/.test(form.username))) {
    errors.set('username', 'Required: up to 255 characters, no colon or control characters.');
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(form.email) || form.email.length > 255) errors.set('email', 'Enter an email address.');
  if (creating || password !== '') {
    if (passwordTooShort(password)) errors.set('password', `At least ${MIN_PASSWORD_LENGTH} characters.`);
    else if (password !== password2) errors.set('password2', 'The passwords do not match.');
  }
  return errors;
}

function duplicateField(error: DuplicateKeyError): string {
  return [error.key ?? '', ...error.columns].some((name) => name.includes('email')) ? 'email' : 'username';
}

export function registerUsersPage(app: FastifyInstance, context: AdminContext): void {
  const { users } = context;
  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    title: string,
    body: (csrf: string) => SafeHtml,
    status = 200,
  ) => sendPage(context, request, reply, { title, current: LIST, status, body });
  const invalid = [{ kind: 'error' as const, text: 'Please correct the fields marked below.' }];

  app.get('/user/', async (request, reply) => {
    const list = await users.list();
    const me = request.adminUser!.id;
    return show(
      request,
      reply,
      'Users',
      () => html`<div class="head"><h1>Users</h1><a class="button primary" href="/admin/user/add/">Add user</a></div>
<p class="lead">Who may call the API (every active user) and sign in here (active admins).</p>
<div class="table-wrap"><table>
  <thead><tr><th scope="col" class="num">ID</th><th scope="col">Username</th><th scope="col">Email</th><th scope="col">Active</th><th scope="col">Admin</th><th scope="col">Role</th></tr></thead>
  <tbody>${list.map(
    (
      user,
    ) => html`<tr><td class="num">${user.id}</td><td><a href="/admin/user/${user.id}/">${user.username}</a>${user.id === me && html` <span class="badge">you</span>`}</td>
    <td class="text">${user.email}</td><td>${badge(user.active, 'active', 'inactive')}</td><td>${badge(user.admin, 'admin', 'API only')}</td>
    <td>${roleBadge(user)}</td></tr>`,
  )}</tbody>
</table></div>`,
    );
  });

  app.get('/user/add/', async (request, reply) =>
    show(
      request,
      reply,
      'Add user',
      (csrf) =>
        html`<div class="head"><h1>Add user</h1></div>${userForm({ username: '', email: '', active: true, admin: false, role: '', attributes: '' }, new Map(), csrf, undefined, false)}`,
    ),
  );

  app.post('/user/add/', async (request, reply) => {
    const form: UserForm = {
      username: (fieldText(request.body, 'username') ?? '').trim(),
      email: (fieldText(request.body, 'email') ?? '').trim(),
      active: fieldText(request.body, 'active') === '1',
      admin: fieldText(request.body, 'admin') === '1',
      role: (fieldText(request.body, 'role') ?? '').trim(),
      attributes: fieldText(request.body, 'attributes') ?? '',
    };
    const password = fieldText(request.body, 'password') ?? '';
    const errors = check(form, password, fieldText(request.body, 'password2') ?? '', true);
    const role = checkRole(form, errors, context.checkRole);
    const again = (status: number) =>
      sendPage(context, request, reply, {
        title: 'Add user',
        current: LIST,
        status,
        flashes: invalid,
        body: (csrf) =>
          html`<div class="head"><h1>Add user</h1></div>${userForm(form, errors, csrf, undefined, false)}`,
      });
    if (errors.size > 0 || role === undefined) return again(400);
    try {
      const id = await users.create({ ...form, password });
      if (role.role !== null) await users.setRole(id, role.role, role.attributes);
      // Who may use the panel and the API, and with which role, is in the audit trail like any row.
      await auditAdminChange(context, request, {
        action: 'create',
        resource: 'user',
        key: String(id),
        before: null,
        after: { ...auditedUser(form, role), password: MASKED },
      });
      flash(request, 'success', `Created user ${form.username} (${id}).`);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      errors.set(duplicateField(error), 'Already taken by another user.');
      return again(409);
    }
    return seeOther(reply, LIST);
  });

  const load = async (request: FastifyRequest, reply: FastifyReply) => {
    const text = (request.params as { id: string }).id;
    const user = /^[1-9][0-9]{0,9}$/.test(text) ? await users.findById(Number(text)) : undefined;
    if (user === undefined) {
      flash(request, 'error', `There is no user ${text}.`);
      void seeOther(reply, LIST);
    }
    return user;
  };

  app.get('/user/:id/', async (request, reply) => {
    const user = await load(request, reply);
    if (user === undefined) return reply;
    const self = user.id === request.adminUser!.id;
    return show(
      request,
      reply,
      `User ${user.username}`,
      (csrf) =>
        html`<div class="head"><h1>User ${user.username}</h1>
  <a class="button" href="/admin/audit/?resource=user&amp;row_key=${user.id}&amp;ordering=-id">History</a></div>${userForm({ ...user, ...roleFields(user) }, new Map(), csrf, user, self)}`,
    );
  });

  app.post('/user/:id/', async (request, reply) => {
    const user = await load(request, reply);
    if (user === undefined) return reply;
    const self = user.id === request.adminUser!.id;
    const form: UserForm = {
      username: user.username,
      email: (fieldText(request.body, 'email') ?? '').trim(),
      // Disabled checkboxes are not sent: for yourself, the flags stay as they are unless a hand-made form says otherwise.
      active:
        self && fieldText(request.body, 'active') === undefined
          ? user.active
          : fieldText(request.body, 'active') === '1',
      admin:
        self && fieldText(request.body, 'admin') === undefined ? user.admin : fieldText(request.body, 'admin') === '1',
      // A form without the role fields (a hand-made one) leaves the role as it is.
      role: (fieldText(request.body, 'role') ?? roleFields(user).role).trim(),
      attributes: fieldText(request.body, 'attributes') ?? roleFields(user).attributes,
    };
    const password = fieldText(request.body, 'password') ?? '';
    const errors = check(form, password, fieldText(request.body, 'password2') ?? '', false);
    if (self && !form.active) errors.set('active', 'You cannot deactivate yourself.');
    if (self && !form.admin) errors.set('admin', 'You cannot remove your own admin flag.');
    const role = checkRole(form, errors, context.checkRole);
    const again = (status: number) =>
      sendPage(context, request, reply, {
        title: `User ${user.username}`,
        current: LIST,
        status,
        flashes: invalid,
        body: (csrf) =>
          html`<div class="head"><h1>User ${user.username}</h1></div>${userForm(form, errors, csrf, user, self)}`,
      });
    if (errors.size > 0 || role === undefined) return again(400);
    const roleChanged =
      role.role !== (user.roleSet ? user.role : null) ||
      attributesJson(role.attributes) !== attributesJson(user.attributes ?? {});
    try {
      await users.update(user.id, form);
      if (roleChanged) await users.setRole(user.id, role.role, role.attributes);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      errors.set('email', 'Already taken by another user.');
      return again(409);
    }
    const passwordHash = password === '' ? undefined : await hashPassword(password);
    if (passwordHash !== undefined) await users.setPasswordHash(user.id, passwordHash);
    const changed = changedValues(
      {
        ...auditedUser(
          { ...user, ...roleFields(user) },
          { role: user.role ?? null, attributes: user.attributes ?? {} },
        ),
        password: '',
      },
      { ...auditedUser(form, role), password: passwordHash === undefined ? '' : MASKED },
    );
    if (changed !== undefined)
      await auditAdminChange(context, request, {
        action: 'update',
        resource: 'user',
        key: String(user.id),
        ...changed,
      });
    if (passwordHash !== undefined || (user.active && !form.active) || (user.admin && !form.admin)) {
      // A new password, a deactivation or a removed admin flag ends the user's other admin sessions
      // for good (restoring the flag later does not revive them); yours stays signed in.
      await users.endSessions(user.id);
      const token = request.session.get('sid');
      if (self && token !== undefined && passwordHash !== undefined)
        await context.sessions.renew(token, user.id, passwordHash);
    }
    // The API trusts a verified password for a while: make this change bite now.
    context.onUserChanged(user.id);
    const what = [
      form.active !== user.active && (form.active ? 'activated' : 'deactivated'),
      form.admin !== user.admin && (form.admin ? 'made admin' : 'admin flag removed'),
      password !== '' && 'password reset',
      form.email !== user.email && 'email changed',
      roleChanged && `role ${role.role ?? `${DEFAULT_ROLE} (default)`}`,
    ].filter(Boolean);
    flash(request, 'success', `Saved user ${user.username}${what.length ? `: ${what.join(', ')}` : ''}.`);
    return seeOther(reply, LIST);
  });
}
