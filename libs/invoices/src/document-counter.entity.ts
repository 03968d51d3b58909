import { Column, Entity } from 'typeorm';

/**
 * The last number issued per document kind. Issuing takes this row's lock (UPDATE … RETURNING) in
 * the transaction that writes the ledger row, so numbers are gapless: a rolled-back transaction
 * gives its number back, which a Postgres sequence would not.
 */
@Entity({ name: 'document_counters' })
export class DocumentCounter {
  @Column({ type: 'text', primary: true, primaryKeyConstraintName: 'document_counters_pkey' })
  kind!: string;

  @Column({ name: 'last_number', type: 'bigint', default: 0 })
  lastNumber!: string;
}
