import { ACCOUNTS_ENTITIES } from '@ozvps/accounts';
import { BILLING_ENTITIES } from '@ozvps/billing';
import { NOTIFICATIONS_ENTITIES } from '@ozvps/notifications';
import { PLANS_ENTITIES } from '@ozvps/plans';
import { SERVERS_ENTITIES } from '@ozvps/servers';
import { USERS_ENTITIES } from '@ozvps/users';
import { AUDIT_ENTITIES, CLUSTER_ENTITIES } from '@ozvps/core';
import { WALLET_ENTITIES } from '@ozvps/wallet';
import { INVOICES_ENTITIES } from '@ozvps/invoices';
import { CreateUsers1763800000000 } from './1763800000000-create-users';
import { CreateWalletLedger1763800000001 } from './1763800000001-create-wallet-ledger';
import { CreateSessions1763800000002 } from './1763800000002-create-sessions';
import { CreatePlans1763800000003 } from './1763800000003-create-plans';
import { CreateBilling1763800000004 } from './1763800000004-create-billing';
import { CreateServers1763800000005 } from './1763800000005-create-servers';
import { WebhookRobustness1763800000007 } from './1763800000007-webhook-robustness';
import { ServerOwnPrice1763800000009 } from './1763800000009-server-own-price';
import { WaitingDeployCancel1763800000011 } from './1763800000011-waiting-deploy-cancel';
import { CreateOutbox1763800000012 } from './1763800000012-create-outbox';
import { CreateServiceOutages1763800000013 } from './1763800000013-create-service-outages';
import { ServerActions1763800000014 } from './1763800000014-server-actions';
import { Replicas1763800000015 } from './1763800000015-replicas';
import { WalletTotals1763800000016 } from './1763800000016-wallet-totals';
import { Accounts1763800000017 } from './1763800000017-accounts';
import { TwoFactor1763800000018 } from './1763800000018-two-factor';
import { CreateDocuments1763800000019 } from './1763800000019-create-documents';
import { AuditTrail1763800000021 } from './1763800000021-audit-trail';

/** Every migration, oldest first. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [
  CreateUsers1763800000000,
  CreateWalletLedger1763800000001,
  CreateSessions1763800000002,
  CreatePlans1763800000003,
  CreateBilling1763800000004,
  CreateServers1763800000005,
  WebhookRobustness1763800000007,
  ServerOwnPrice1763800000009,
  WaitingDeployCancel1763800000011,
  CreateOutbox1763800000012,
  CreateServiceOutages1763800000013,
  ServerActions1763800000014,
  Replicas1763800000015,
  WalletTotals1763800000016,
  Accounts1763800000017,
  TwoFactor1763800000018,
  CreateDocuments1763800000019,
  AuditTrail1763800000021,
];

/** Every entity. CI checks that applying MIGRATIONS yields exactly the schema these describe. */
export const ENTITIES = [
  ...USERS_ENTITIES,
  ...WALLET_ENTITIES,
  ...PLANS_ENTITIES,
  ...BILLING_ENTITIES,
  ...SERVERS_ENTITIES,
  ...NOTIFICATIONS_ENTITIES,
  ...CLUSTER_ENTITIES,
  ...ACCOUNTS_ENTITIES,
  ...INVOICES_ENTITIES,
  ...AUDIT_ENTITIES,
];

/**
 * Tables that are logs by design: the panel's database role may only INSERT into and SELECT from
 * them (grantRuntimeRole), so even its own credentials cannot rewrite them. The ledger is also
 * guarded by a trigger; Stripe's event log and each server's history are records of what happened.
 */
export const APPEND_ONLY_TABLES = [
  'wallet_transactions',
  'stripe_events',
  'server_events',
  // Issued invoices, adjustment notes and receipts (issue 18); also guarded by a trigger.
  'documents',
  'audit_events',
] as const;

/** What DatabaseModule.forRoot and the test harness need to open the panel's database. */
export const SCHEMA = { entities: ENTITIES, migrations: MIGRATIONS, appendOnlyTables: APPEND_ONLY_TABLES };
