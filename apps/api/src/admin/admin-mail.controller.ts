import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { MailAdminService, toMailDetail, toMailPage } from '@ozvps/notifications';
import { Admin } from '../auth/auth.decorators';
import { historyPageQuery, onlyQueryKeys, queryInt } from '../query-params';
import { MailIdPipe } from './mail-id.pipe';

/** The outbox as admins see it: every message, its bodies, and a retry for dead or held ones. */
@Admin()
@Controller('api/admin/mail')
export class AdminMailController {
  constructor(private readonly mail: MailAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    onlyQueryKeys(query, ['status', 'kind', 'userId', 'limit', 'before']);
    const { status, kind, userId, limit, before } = query as Record<string, string | undefined>;
    const page = historyPageQuery(limit, before);
    const rows = await this.mail.list({
      status: status || undefined,
      kind: kind || undefined,
      userId: userId ? queryInt(userId, 'userId', 1, Number.MAX_SAFE_INTEGER) : undefined,
      limit: page.limit,
      beforeId: page.beforeId,
    });
    return toMailPage(rows);
  }

  @Get(':id')
  async show(@Param('id', MailIdPipe) id: number) {
    return { message: toMailDetail(await this.mail.get(id)) };
  }

  /** Dead or held -> pending (attempts reset); 409 for a message that is queued or sent. */
  @Post(':id/retry')
  @HttpCode(200)
  async retry(@Param('id', MailIdPipe) id: number) {
    return { message: toMailDetail(await this.mail.retry(id)) };
  }
}
