import { Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail';

/** Reading the audit trail; writing it is AuditTrail.record inside each change's own transaction. */
@Module({ providers: [AuditTrail], exports: [AuditTrail] })
export class AuditModule {}
