import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tax invoices, adjustment notes and receipts (issue 18): the documents themselves (append-only,
 * like the ledger), one counter row per kind for gapless numbers, and the buyer's billing details.
 * Documents for ledger rows written before this migration are issued by `ozvpsctl invoices
 * backfill` (the API runs it on start): they need the seller profile, which lives in the config.
 */
export class CreateDocuments1763800000019 implements MigrationInterface {
  name = 'CreateDocuments1763800000019';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS documents (
        id                        bigint GENERATED ALWAYS AS IDENTITY,
        number                    text NOT NULL,
        kind                      text NOT NULL,
        user_id                   bigint NOT NULL,
        ledger_transaction_id     bigint NOT NULL,
        refers_to                 text,
        stripe_payment_intent_id  text,
        total_cents               bigint NOT NULL,
        gst_cents                 bigint NOT NULL,
        currency                  text NOT NULL,
        snapshot                  jsonb NOT NULL,
        issued_at                 timestamptz NOT NULL,
        CONSTRAINT documents_pkey PRIMARY KEY (id),
        CONSTRAINT documents_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT documents_kind_check CHECK (kind IN ('invoice', 'adjustment', 'receipt')),
        CONSTRAINT documents_amounts_check CHECK (total_cents > 0 AND gst_cents >= 0 AND gst_cents <= total_cents)
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS documents_number_key ON documents (number)`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS documents_ledger_transaction_id_key ON documents (ledger_transaction_id)`,
    );
    await q.query(`CREATE INDEX IF NOT EXISTS documents_user_id_id_idx ON documents (user_id, id)`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS documents_stripe_payment_intent_id_idx ON documents (stripe_payment_intent_id)`,
    );
    // Issued documents are records: no code path may rewrite or remove one.
    await q.query(`
      CREATE OR REPLACE FUNCTION documents_append_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'documents is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TRIGGER IF EXISTS documents_no_update_delete ON documents`);
    await q.query(`
      CREATE TRIGGER documents_no_update_delete
      BEFORE UPDATE OR DELETE ON documents
      FOR EACH ROW EXECUTE FUNCTION documents_append_only()`);
    await q.query(`DROP TRIGGER IF EXISTS documents_no_truncate ON documents`);
    await q.query(`
      CREATE TRIGGER documents_no_truncate
      BEFORE TRUNCATE ON documents
      FOR EACH STATEMENT EXECUTE FUNCTION documents_append_only()`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS document_counters (
        kind         text NOT NULL,
        last_number  bigint NOT NULL DEFAULT 0,
        CONSTRAINT document_counters_pkey PRIMARY KEY (kind)
      )`);
    await q.query(`
      INSERT INTO document_counters (kind) VALUES ('invoice'), ('adjustment'), ('receipt')
      ON CONFLICT (kind) DO NOTHING`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS billing_details (
        user_id        bigint NOT NULL,
        business_name  text,
        abn            text,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT billing_details_pkey PRIMARY KEY (user_id),
        CONSTRAINT billing_details_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
