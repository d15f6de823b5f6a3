/**
 * The admin edit form saves with a conditional UPDATE: a change someone else
 * makes after the form handler read the row, but before its UPDATE, is not
 * overwritten. The page says so, keeps the operator's values, and nothing
 * of theirs is written.
 */
import t from 'tap';
import { SELECT_CARD_GROUP } from '../../generated/cardgroup/statements.js';
import type { Db } from '../../runtime/db/db.js';
import { BACKENDS } from '../helpers/backends.js';
import { interferingDb, type InterferingDb } from '../helpers/interfering-db.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    let trap: InterferingDb | undefined;
    const service = await startAdminService(name, {}, (db) => (trap = interferingDb(db)).db);
    t.teardown(() => service.close());
    const admin = service.client();
    await admin.login();
    const created = await service.api('/api/cardgroup/', {
      method: 'POST',
      body: { name: 'Resellers', description: 'before' },
    });
    const id = created.json.id as number;
    const form = { name: 'Resellers', description: 'mine', users_perms: '0', id_agent: '', provisioning: '' };

    await admin.get(`/admin/cardgroup/${id}/`);
    // The save reads the row twice: the handler (for its field-by-field merge), then the write path. Strike after the second.
    trap!.arm(
      SELECT_CARD_GROUP,
      async (db: Db) => {
        await db.run('UPDATE cc_card_group SET description = ? WHERE id = ?', ['theirs', id]);
      },
      2,
    );
    const saved = await admin.post(`/admin/cardgroup/${id}/`, form);
    t.equal(saved.status, 409, 'not saved');
    t.match(saved.text, /changed while you were saving; nothing was saved/, 'the page says why');
    t.match(saved.text, /value="mine"|>mine</, 'and keeps what the operator typed');
    const [row] = await service.backend.raw('SELECT description FROM cc_card_group WHERE id = ?', [id]);
    t.equal(row!.description, 'theirs', 'the other change stands');

    // Saving again now compares with the new stored value: a conflict on that field, shown field by field.
    await admin.get(`/admin/cardgroup/${id}/`);
    const again = await admin.post(`/admin/cardgroup/${id}/`, { ...form, description: 'mine, after all' });
    t.equal(again.status, 303, 'a fresh form saves');
    const [after] = await service.backend.raw('SELECT description FROM cc_card_group WHERE id = ?', [id]);
    t.equal(after!.description, 'mine, after all');
  });
}
