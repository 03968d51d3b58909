import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MailAdminService, toMailDetail, toMailPage } from '@ozvps/notifications';
import { User } from '@ozvps/users';
import { Admin, CurrentUser } from '../auth/auth.decorators';
import { historyPageQuery, onlyQueryKeys, queryInt } from '../query-params';
import { MailIdPipe } from './mail-id.pipe';

const PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

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

  /**
   * The HTML body as its own document, for the Outbox page's sandboxed frame: the panel's CSP
   * (style-src 'self') would strip the message's inline styles in a srcdoc frame. Its own policy
   * lets inline styles and data: images in and nothing else (no script, no request anywhere),
   * sandboxes it even if opened directly, and lets only the panel itself frame it.
   */
  @Get(':id/preview')
  async preview(@Param('id', MailIdPipe) id: number, @Res() res: Response): Promise<void> {
    const message = await this.mail.get(id);
    res
      .status(200)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': PREVIEW_CSP,
        'X-Frame-Options': 'SAMEORIGIN',
        'Cache-Control': 'no-store',
      })
      .send(message.bodyHtml);
  }

  /** Dead or held -> pending (attempts reset); 409 for a message that is queued or sent. */
  @Post(':id/retry')
  @HttpCode(200)
  async retry(@CurrentUser() admin: User, @Param('id', MailIdPipe) id: number) {
    return { message: toMailDetail(await this.mail.retry(id, `admin:${admin.id}`)) };
  }
}
