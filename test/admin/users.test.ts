/**
 * /admin/user/ on SQLite and on MariaDB: list, create, reset a password,
 * admin flag, activate/deactivate, and the rules that keep an admin in.
 * A change bites on the API at once (its credential cache forgets the user).
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const client = service.client();
    await client.login();
    const me = (await service.users.findByUsername('operator'))!;

    await t.test('list: users with their flags, never a password', async (t) => {
      const page = await client.get('/admin/user/');
      t.equal(page.status, 200);
      t.match(page.text, /operator<\/a> <span class="badge">you<\/span>/);
      t.notMatch(page.text, /scrypt\$/);
    });

    await t.test('create: checked, hashed, duplicates refused', async (t) => {
      await client.get('/admin/user/add/');
      const short = await client.post('/admin/user/add/', {
        username: 'clerk',
        email: 'clerk@example.com',
        password: 'short',
        password2: 'short',
        active: '1',
      });
      t.equal(short.status, 400);
      t.match(short.text, /At least 8 characters/);
      const mismatch = await client.post('/admin/user/add/', {
        username: 'clerk',
        email: 'clerk@example.com',
        password: 'long enough',
        password2: 'different',
        active: '1',
      });
      t.match(mismatch.text, /do not match/);
      const created = await client.post('/admin/user/add/', {
        username: 'clerk',
        email: 'clerk@example.com',
        password: 'clerk password',
        password2: 'clerk password',
        active: '1',
      });
      t.equal(created.status, 303);
      const [row] = await service.backend.raw("SELECT password, active, admin FROM `user` WHERE username = 'clerk'");
      t.match(row, { active: 1, admin: 0 });
      t.match(String(row!.password), /^scrypt\$/);
      t.equal(
        (await service.api('/api/card/', { auth: basicAuth('clerk', 'clerk password') })).status,
        200,
        'an active user may use the API',
      );
      const duplicate = await client.post('/admin/user/add/', {
        username: 'clerk',
        email: 'other@example.com',
        password: 'clerk password',
        password2: 'clerk password',
      });
      t.equal(duplicate.status, 409);
      t.match(duplicate.text, /Already taken/);
    });

    await t.test('edit: reset the password, flags; the API notices at once', async (t) => {
      const clerk = (await service.users.findByUsername('clerk'))!;
      const page = await client.get(`/admin/user/${clerk.id}/`);
      t.equal(page.status, 200);
      t.notMatch(page.text, /scrypt\$/);
      t.equal(
        (await service.api('/api/card/', { auth: basicAuth('clerk', 'clerk password') })).status,
        200,
        'cached by the API now',
      );
      const reset = await client.post(`/admin/user/${clerk.id}/`, {
        email: 'clerk@example.com',
        password: 'new clerk password',
        password2: 'new clerk password',
        active: '1',
        admin: '1',
      });
      t.equal(reset.status, 303);
      t.match((await client.get('/admin/user/')).text, /made admin, password reset/);
      t.equal(
        (await service.api('/api/card/', { auth: basicAuth('clerk', 'clerk password') })).status,
        401,
        'the old password stops working at once',
      );
      t.equal((await service.api('/api/card/', { auth: basicAuth('clerk', 'new clerk password') })).status, 200);
      const other = service.client();
      t.equal((await other.login('clerk', 'new clerk password')).status, 303, 'now an admin');
      const off = await client.post(`/admin/user/${clerk.id}/`, { email: 'clerk@example.com', admin: '1' });
      t.equal(off.status, 303);
      t.equal(
        (await service.api('/api/card/', { auth: basicAuth('clerk', 'new clerk password') })).status,
        401,
        'deactivated',
      );
      t.equal((await other.get('/admin/')).status, 303, 'and signed out of the panel');
    });

    await t.test("a new password ends the user's other admin sessions, but not the one that set it", async (t) => {
      await client.get('/admin/user/add/');
      const form = {
        email: 'shift@example.com',
        password: 'shift password 1',
        password2: 'shift password 1',
        active: '1',
        admin: '1',
      };
      t.equal((await client.post('/admin/user/add/', { username: 'shift', ...form })).status, 303);
      const shift = (await service.users.findByUsername('shift'))!;
      const laptop = service.client();
      const phone = service.client();
      t.equal((await laptop.login('shift', 'shift password 1')).status, 303);
      t.equal((await phone.login('shift', 'shift password 1')).status, 303);
      const own = await laptop.post(`/admin/user/${shift.id}/`, {
        ...form,
        password: 'shift password 2',
        password2: 'shift password 2',
      });
      t.equal(own.status, 303);
      t.equal((await laptop.get('/admin/')).status, 200, 'the session that changed the password stays signed in');
      const ended = await phone.get('/admin/');
      t.equal(ended.status, 303, 'the other session has ended');
      t.match(ended.location, /^\/admin\/login/);
      t.match((await phone.get(ended.location!)).text, /You were signed out: your password was changed/);
      t.equal(
        (await phone.login('shift', 'shift password 2')).status,
        303,
        'signing in again with the new password works',
      );

      // Another admin resets it: every session of that user ends.
      t.equal(
        (
          await client.post(`/admin/user/${shift.id}/`, {
            ...form,
            password: 'shift password 3',
            password2: 'shift password 3',
          })
        ).status,
        303,
      );
      t.equal((await laptop.get('/admin/')).status, 303);
      t.equal((await phone.get('/admin/')).status, 303);
      t.equal((await client.get('/admin/')).status, 200, 'the admin who reset it is not affected');
    });

    await t.test('deactivating a user ends their sessions for good: reactivating does not revive them', async (t) => {
      const shift = (await service.users.findByUsername('shift'))!;
      const tablet = service.client();
      t.equal((await tablet.login('shift', 'shift password 3')).status, 303);
      t.equal((await tablet.get('/admin/')).status, 200);
      const base = { email: 'shift@example.com', admin: '1' };
      t.equal((await client.post(`/admin/user/${shift.id}/`, base)).status, 303, 'deactivated');
      t.equal((await client.post(`/admin/user/${shift.id}/`, { ...base, active: '1' })).status, 303, 'active again');
      t.equal((await tablet.get('/admin/')).status, 303, 'the session from before the deactivation has ended');
      t.equal((await tablet.login('shift', 'shift password 3')).status, 303, 'a new sign-in works');
      t.equal((await tablet.get('/admin/')).status, 200);
      const email = await client.post(`/admin/user/${shift.id}/`, {
        ...base,
        email: 'shift2@example.com',
        active: '1',
      });
      t.equal(email.status, 303);
      t.equal((await tablet.get('/admin/')).status, 200, 'other changes (email) leave sessions alone');
      t.equal(
        (
          await client.post(`/admin/user/${shift.id}/`, {
            ...base,
            email: 'shift2@example.com',
            active: '1',
            admin: '0',
          })
        ).status,
        303,
        'admin flag removed',
      );
      t.equal(
        (await client.post(`/admin/user/${shift.id}/`, { ...base, email: 'shift2@example.com', active: '1' })).status,
        303,
        'and given back',
      );
      t.equal((await tablet.get('/admin/')).status, 303, 'the session from before the demotion has ended');
    });

    await t.test('nobody can deactivate or demote themselves', async (t) => {
      const page = await client.get(`/admin/user/${me.id}/`);
      t.match(page.text, /name="active" value="1" checked disabled/);
      const deactivate = await client.post(`/admin/user/${me.id}/`, { email: me.email, active: '0', admin: '1' });
      t.equal(deactivate.status, 400);
      t.match(deactivate.text, /You cannot deactivate yourself/);
      const demote = await client.post(`/admin/user/${me.id}/`, { email: me.email, active: '1', admin: '0' });
      t.equal(demote.status, 400);
      t.match(demote.text, /You cannot remove your own admin flag/);
      t.match(await service.users.findById(me.id), { active: true, admin: true });
      const email = await client.post(`/admin/user/${me.id}/`, { email: 'me@example.com' });
      t.equal(email.status, 303, 'the disabled checkboxes are not sent; the flags stay');
      t.match(await service.users.findById(me.id), { email: 'me@example.com', active: true, admin: true });
      t.equal((await client.get('/admin/user/99999/')).status, 303);
    });
  });
}
