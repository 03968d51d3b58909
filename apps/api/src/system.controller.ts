import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BUILD_INFO, BuildInfo } from '@ozvps/core';
import { Public } from './auth/auth.decorators';

@Public()
@Controller('api')
export class SystemController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(BUILD_INFO) private readonly buildInfo: BuildInfo,
  ) {}

  @Get('health')
  async health(): Promise<{ status: 'ok'; database: 'ok' }> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('The database is not answering');
    }
    return { status: 'ok', database: 'ok' };
  }

  @Get('version')
  version(): BuildInfo {
    return this.buildInfo;
  }
}
