/**
 * The admin's CSV import, on both databases: a file is checked and previewed
 * with nothing written; only a file without problems can be imported, and
 * then all of it, each row audited as the signed-in admin; problems are
 * listed by row and field (a bad value, a unique value already taken, a
 * column the model does not have, CSV that does not parse).
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService, USERNAME } from './admin-service.js';

const GROUPS = 'name,description\r\nimport-north,first\r\nimport-south,\r\nimport-east,"with, a comma"\r\n';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const count = async (sql: string) => Number(Object.values((await service.backend.raw(sql))[0]!)[0]);
    const client = service.client();
    await client.login();

    const list = await client.get('/admin/cardgroup/');
    t.match(list.text, /href="\/admin\/cardgroup\/import\/">Import CSV</, 'the list links to the import');
    const form = await client.get('/admin/cardgroup/import/');
    t.equal(form.status, 200);
    t.match(form.text, /<textarea id="csv" name="csv"/);
    t.match(form.text, /<input type="file" id="csv-file"/);

    const groupsBefore = await count('SELECT COUNT(*) FROM cc_card_group');
    const preview = await client.post('/admin/cardgroup/import/', { csv: GROUPS, step: 'preview' });
    t.equal(preview.status, 200);
    t.match(preview.text, /3 rows are ready to import\. Nothing has been written yet\./);
    t.match(preview.text, /<td>import-east<\/td><td>with, a comma<\/td>/, 'the preview shows the rows as read');
    t.match(preview.text, /Import 3 rows/);
    t.equal(await count('SELECT COUNT(*) FROM cc_card_group'), groupsBefore, 'a preview writes nothing');

    const imported = await client.post('/admin/cardgroup/import/', { csv: GROUPS, step: 'import' });
    t.equal(imported.status, 303);
    t.equal(imported.location, '/admin/cardgroup/');
    t.match((await client.get('/admin/cardgroup/')).text, /Imported 3 card groups\./);
    t.equal(await count('SELECT COUNT(*) FROM cc_card_group'), groupsBefore + 3);
    t.equal(
      await count(
        `SELECT COUNT(*) FROM a2gen_audit WHERE resource = 'cardgroup' AND action = 'create' AND username = '${USERNAME}'`,
      ),
      3,
      'each row audited as the admin',
    );

    const cardsBefore = await count('SELECT COUNT(*) FROM cc_card');
    t.equal(
      (
        await service.api('/api/card/', {
          method: 'POST',
          body: { username: 'taken', useralias: 'taken-alias', uipass: 'x', credit: 1, tariff: 1 },
        })
      ).status,
      200,
    );
    const cards = [
      'username,useralias,uipass,credit,tariff,colour',
      'import-1,import-alias-1,pw,5,1,',
      'taken,import-alias-2,pw,lots,1,',
    ].join('\n');
    const problems = await client.post('/admin/card/import/', { csv: cards, step: 'import' });
    t.equal(problems.status, 400, 'a file with problems is refused, even asked to import');
    t.match(problems.text, /problems? in the file: nothing was written/);
    t.match(problems.text, /<td class="num">2<\/td><td>credit<\/td><td>must be a decimal number/, 'row 2: credit');
    t.notMatch(problems.text, /Import \d+ rows/, 'no import button');
    const unknown = await client.post('/admin/card/import/', {
      csv: 'username,useralias,uipass,credit,tariff,colour\nimport-3,a3,pw,5,1,red\n',
      step: 'preview',
    });
    t.match(unknown.text, /<td>colour<\/td><td>is not a known field/);
    const taken = await client.post('/admin/card/import/', {
      csv: 'username,useralias,uipass,credit,tariff\nimport-4,a4,pw,5,1\ntaken,a5,pw,5,1\n',
      step: 'preview',
    });
    t.equal(taken.status, 400);
    t.match(taken.text, /<td class="num">2<\/td><td>username<\/td><td>is already taken by another row/);
    const broken = await client.post('/admin/card/import/', {
      csv: 'username,useralias\n"open quote\n',
      step: 'preview',
    });
    t.equal(broken.status, 400);
    t.match(broken.text, /not valid CSV/);
    t.equal(await count('SELECT COUNT(*) FROM cc_card'), cardsBefore + 1, 'only the API card was written');
  });
}
