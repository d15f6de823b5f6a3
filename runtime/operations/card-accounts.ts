/**
 * A card created with `sip_buddy` or `iax_buddy` set gets its cc_sip_buddies
 * / cc_iax_buddies row, as A2Billing's own admin writes it (voip-accounts.ts,
 * docs/voip-accounts.md), through the API and the admin panel alike. The
 * card and its accounts are three inserts into MyISAM tables, so they are
 * one journalled operation (journal.ts): a process that dies between them
 * leaves a journal entry the recovery finishes, never a card that says it
 * has a SIP account without one.
 *
 *   recorded → card-created → sip-created → iax-created → done
 */
import type { Db, Row } from '../db/db.js';
import { invalidValues, type FieldProblem } from '../store/errors.js';
import type { Resource } from '../store/resource.js';
import type { Logger, Store, WriteContext } from '../store/store.js';
import type { Actor } from '../store/audit-log.js';
import { DONE, FIRST_STEP, type Journal, type Operation } from './journal.js';
import {
  A2BILLING_CODE_DEFAULTS,
  readPeerFriendConfig,
  voipAccountProblems,
  voipAccountRows,
} from './voip-accounts.js';

export const KIND = 'card_accounts';

interface CardAccountsInput {
  /** The create's values as validated, the web password included (it becomes the accounts' secret). */
  values: Record<string, unknown>;
  actor: Actor;
}

function wantsAccounts(values: Record<string, unknown>): boolean {
  return Number(values.sip_buddy ?? 0) !== 0 || Number(values.iax_buddy ?? 0) !== 0;
}

export class CardAccounts {
  constructor(
    private readonly store: Store,
    private readonly db: Db,
    private readonly journal: Journal,
    private readonly card: Resource,
    private readonly sip: Resource,
    private readonly iax: Resource,
    /** Where a recovery, which has no request, logs what the store cannot report (an audit row not written). */
    private readonly log: Logger,
  ) {}

  /** A bulk create inserts cards plainly: one that asks for VoIP accounts is created on its own. */
  refuseInBulk = (values: Record<string, unknown>): FieldProblem | undefined =>
    wantsAccounts(values)
      ? {
          field: Number(values.sip_buddy ?? 0) !== 0 ? 'sip_buddy' : 'iax_buddy',
          message: 'asks for VoIP accounts, which a bulk create does not make: create this card on its own',
        }
      : undefined;

  /** A card's create (Store.createThrough): plain unless it asks for VoIP accounts. */
  create = async (context: WriteContext, values: Record<string, unknown>, plain: () => Promise<Row>): Promise<Row> => {
    if (!wantsAccounts(values)) return plain();
    // Refused before anything is written: an account number too long for an account code, say.
    const problems = voipAccountProblems(this.voipCard(values, 1), A2BILLING_CODE_DEFAULTS);
    if (problems.length > 0) {
      throw invalidValues(
        problems.map((problem) => ({
          field: problem.column === 'secret' ? 'uipass' : 'username',
          message: `${problem.message} (as ${problem.table}.${problem.column})`,
        })),
      );
    }
    const begun = await this.journal.begin({
      kind: KIND,
      target: `card:${String(values.username)}`,
      username: context.actor.user,
      input: { values, actor: { ...context.actor } } satisfies CardAccountsInput,
    });
    if ('outcome' in begun) throw new Error('a card create has no Idempotency-Key to replay');
    return this.continue(begun, false, context);
  };

  /** From the operation's current step to the end; `recovering`: the last step's row may exist unnoted. */
  async continue(operation: Operation, recovering: boolean, context?: WriteContext): Promise<Row> {
    const input = operation.input as unknown as CardAccountsInput;
    const writer: WriteContext = context ?? { actor: input.actor, log: this.log };
    if (operation.step === FIRST_STEP) {
      const found = recovering ? await this.idOf(this.card, 'username', input.values.username) : undefined;
      const id =
        found ??
        Number((await this.store.create(writer, this.card, { ...input.values, sip_buddy: 0, iax_buddy: 0 })).id);
      await this.journal.advance(operation, 'card-created', { card_id: id });
    }
    const cardId = Number(operation.progress.card_id);
    const settings = await readPeerFriendConfig(this.db);
    const rows = voipAccountRows(this.voipCard(input.values, cardId), settings.config);
    if (operation.step === 'card-created') {
      if (rows.sip !== null) await this.insertOnce(writer, this.sip, rows.sip as unknown as Row, recovering);
      await this.journal.advance(operation, 'sip-created', {});
    }
    if (operation.step === 'sip-created') {
      if (rows.iax !== null) await this.insertOnce(writer, this.iax, rows.iax as unknown as Row, recovering);
      await this.journal.advance(operation, 'iax-created', {});
    }
    // The flags are set last, once the accounts exist: a card never claims an account it lacks.
    const flags = { sip_buddy: input.values.sip_buddy ?? 0, iax_buddy: input.values.iax_buddy ?? 0 };
    const card = await this.store.update(writer, this.card, [cardId], flags);
    await this.journal.finish(operation, DONE, 200, { card_id: cardId });
    return card;
  }

  private voipCard(values: Record<string, unknown>, id: number) {
    return {
      id,
      username: String(values.username ?? ''),
      uipass: String(values.uipass ?? ''),
      sip_buddy: Number(values.sip_buddy ?? 0),
      iax_buddy: Number(values.iax_buddy ?? 0),
    };
  }

  /** Inserts the account unless a crash left it written already (its name is unique). */
  private async insertOnce(writer: WriteContext, resource: Resource, row: Row, recovering: boolean): Promise<void> {
    if (recovering && (await this.idOf(resource, 'name', row.name)) !== undefined) return;
    await this.store.create(writer, resource, row);
  }

  private async idOf(resource: Resource, column: string, value: unknown): Promise<number | undefined> {
    const sql = `SELECT ${resource.key[0]!.sql} AS id FROM ${resource.table} WHERE ${resource.byName.get(column)!.sql} = ?`;
    const [row] = await this.db.all(sql, [String(value)]);
    return row === undefined ? undefined : Number(row.id);
  }
}
