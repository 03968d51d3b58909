import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { LEDGER_CHANGED, LedgerChangedEvent } from './ledger-changed.event';

const PENDING = 'ozvpsLedgerChanges';

interface Pending {
  event: LedgerChangedEvent;
  /** The transaction depth the row was written at: a savepoint rolled back takes its rows with it. */
  depth: number;
}

const depthOf = (qr: QueryRunner) => (qr as unknown as { transactionDepth: number }).transactionDepth;

/**
 * Announces ledger rows after their transaction commits. WalletService may write inside a
 * caller's transaction (a deploy, a webhook credit), so it cannot know when that commits itself:
 * the row waits on the transaction's query runner and goes out on TypeORM's commit hook.
 */
@Injectable()
export class LedgerEvents implements EntitySubscriberInterface, OnModuleInit {
  private readonly logger = new Logger('Wallet');

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  onModuleInit(): void {
    if (this.events && !this.dataSource.subscribers.includes(this)) this.dataSource.subscribers.push(this);
  }

  /** Called with the row just written, in the transaction of `em` (or committed already, without one). */
  written(em: EntityManager | undefined, event: LedgerChangedEvent): void {
    if (!this.events) return;
    const qr = em?.queryRunner;
    if (!qr?.isTransactionActive) return this.emit(event);
    const list = ((qr.data as Record<string, Pending[] | undefined>)[PENDING] ??= []);
    list.push({ event, depth: depthOf(qr) });
  }

  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    if (queryRunner.isTransactionActive) return;
    const list = this.take(queryRunner);
    for (const { event } of list) this.emit(event);
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) return void this.take(queryRunner);
    const list = (queryRunner.data as Record<string, Pending[] | undefined>)[PENDING];
    const depth = depthOf(queryRunner);
    if (list) (queryRunner.data as Record<string, Pending[]>)[PENDING] = list.filter((p) => p.depth <= depth);
  }

  private take(qr: QueryRunner): Pending[] {
    const data = qr.data as Record<string, Pending[] | undefined>;
    const list = data[PENDING] ?? [];
    delete data[PENDING];
    return list;
  }

  private emit(event: LedgerChangedEvent): void {
    try {
      this.events?.emit(LEDGER_CHANGED, event);
    } catch (err) {
      // The money is committed: a listener's failure is worth a line, never an error to the caller.
      this.logger.error(`after a ledger change for user ${event.userId}: ${(err as Error).message}`);
    }
  }
}
