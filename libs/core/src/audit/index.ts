import { AuditEvent } from './audit-event.entity';

export * from './audit-event.entity';
export * from './audit-trail';
export * from './audit.view';
export * from './audit.module';

export const AUDIT_ENTITIES = [AuditEvent];
