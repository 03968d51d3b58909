import { Body, Controller, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Allow, Equals, IsOptional } from 'class-validator';
import { RepriceService, toRepriceView } from '@ozvps/servers';
import { User } from '@ozvps/users';
import { Admin, CurrentUser } from '../auth/auth.decorators';

class RepriceDto {
  /** YYYY-MM-DD; checked by RepriceService (one place for the API and the CLI). */
  @Allow()
  fromDate!: unknown;

  /** Without it the answer is what would change, and nothing is written (as the CLI without --yes). */
  @IsOptional()
  @Equals(true, { message: 'confirm must be true' })
  confirm?: true;
}

/** Admin-only: marked on the class, so any route added here later is admin too. */
@Admin()
@Controller('api/admin/plans')
export class AdminRepriceController {
  constructor(private readonly reprice: RepriceService) {}

  /** Moves the plan's running servers to its current price from a renewal far enough ahead. */
  @Post(':id/reprice')
  @HttpCode(200)
  async schedule(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
    @Body() body: RepriceDto,
  ) {
    const result = await this.reprice.reprice({
      planId: id,
      fromDate: body.fromDate,
      actor: `admin:${admin.id}`,
      apply: body.confirm === true,
    });
    return toRepriceView(result);
  }
}
