import { Controller, Get, Query } from '@nestjs/common';
import { AuditTrail, parseAuditSince, toAuditEventView } from '@ozvps/core';
import { Admin } from '../auth/auth.decorators';
import { historyPageQuery, onlyQueryKeys } from '../query-params';

/** The audit trail of admin actions, newest first: `?actor=&target=&since=&limit=&before=`. */
@Admin()
@Controller('api/admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    onlyQueryKeys(query, ['actor', 'target', 'since', 'limit', 'before']);
    const { actor, target, since, limit, before } = query as Record<string, string | undefined>;
    const page = historyPageQuery(limit, before);
    const pageSize = page.limit ?? 25;
    const rows = await this.audit.list({
      actor: actor?.trim().slice(0, 200) || undefined,
      target: target?.trim() || undefined,
      since: since ? parseAuditSince(since) : undefined,
      limit: pageSize,
      beforeId: page.beforeId,
    });
    const events = rows.map(toAuditEventView);
    return {
      events,
      nextBefore: events.length === pageSize ? events[events.length - 1]!.id : null,
    };
  }
}
