import {
  Body,
  Controller,
  Get,
  Header,
  Param,
  ParseIntPipe,
  Put,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { InvoicesService, renderDocumentHtml, renderDocumentPdf, toDocumentPage } from '@ozvps/invoices';
import { User } from '@ozvps/users';
import { Admin, CurrentUser } from '../auth/auth.decorators';
import { onlyQueryKeys, queryInt } from '../query-params';

class BillingDetailsDto {
  @IsOptional()
  @IsString({ message: 'businessName must be text' })
  @MaxLength(120, { message: 'businessName must be at most 120 characters' })
  businessName?: string | null;

  @IsOptional()
  @IsString({ message: 'abn must be text: 11 digits' })
  @MaxLength(20, { message: 'abn must be 11 digits' })
  abn?: string | null;
}

const pageOf = (limit?: string, before?: string) => ({
  limit: queryInt(limit, 'limit', 1, 200, 25)!,
  beforeId: queryInt(before, 'before', 1, Number.MAX_SAFE_INTEGER),
});

const DOCUMENT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ownerScope = (user: User) => (user.role === 'admin' ? undefined : user.id);

/** The signed-in customer's documents and buyer details: every lookup goes through the session's user. */
@Controller('api')
export class DocumentsController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get('documents')
  async list(
    @CurrentUser() user: User,
    @Query() query: Record<string, unknown>,
    @Query('limit') limit?: string,
    @Query('before') before?: string,
  ) {
    onlyQueryKeys(query, ['limit', 'before']);
    const page = pageOf(limit, before);
    return toDocumentPage(await this.invoices.list({ ...page, userId: user.id }), page.limit);
  }

  // An admin opens any customer's document from the admin user page; a customer only their own.
  @Get('documents/:number')
  @Header('Content-Type', 'text/html; charset=utf-8')
  // A standalone page with its own inline style and no script: stricter than the app's policy.
  @Header('Content-Security-Policy', DOCUMENT_CSP)
  async html(@CurrentUser() user: User, @Param('number') number: string) {
    return renderDocumentHtml(await this.invoices.get(number, ownerScope(user)));
  }

  @Get('documents/:number/pdf')
  async pdf(@CurrentUser() user: User, @Param('number') number: string) {
    const doc = await this.invoices.get(number, ownerScope(user));
    return new StreamableFile(await renderDocumentPdf(doc), {
      type: 'application/pdf',
      disposition: `attachment; filename="${doc.number}.pdf"`,
    });
  }

  @Get('account/billing-details')
  billingDetails(@CurrentUser() user: User) {
    return this.invoices.billingDetails(user.id);
  }

  @Put('account/billing-details')
  setBillingDetails(@CurrentUser() user: User, @Body() body: BillingDetailsDto) {
    return this.invoices.setBillingDetails(user.id, body);
  }
}

/** A customer's documents, for admins. */
@Admin()
@Controller('api/admin/users')
export class AdminDocumentsController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get(':id/documents')
  async list(
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
    @Query('limit') limit?: string,
    @Query('before') before?: string,
  ) {
    const page = pageOf(limit, before);
    return toDocumentPage(await this.invoices.list({ ...page, userId: id }), page.limit);
  }
}
