import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, BUILD_INFO, BuildInfo } from '@ozvps/core';
import { Public } from './auth/auth.decorators';

@Public()
@Controller('api')
export class SystemController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(BUILD_INFO) private readonly buildInfo: BuildInfo,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What the web app needs before anyone signs in: the wallet currency, and whether this is the sandbox. */
  @Get('app')
  app(): { currency: string; sandbox: boolean; topupsEnabled: boolean } {
    return {
      currency: this.config.walletCurrency,
      sandbox: this.config.sandbox,
      topupsEnabled: this.config.stripe !== undefined,
    };
  }

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
