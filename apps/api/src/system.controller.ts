import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, BUILD_INFO, BuildInfo } from '@ozvps/core';
import type { AppInfo } from '@ozvps/contracts';
import { Public } from './auth/auth.decorators';

@Public()
@Controller('api')
export class SystemController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(BUILD_INFO) private readonly buildInfo: BuildInfo,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * What the web app needs before anyone signs in: the wallet currency, whether this is the
   * sandbox, and what the front page says about the business.
   */
  @Get('app')
  app(): AppInfo {
    return {
      currency: this.config.walletCurrency,
      sandbox: this.config.sandbox,
      topupsEnabled: this.config.stripe !== undefined,
      // The seller on the documents (BUSINESS_NAME, else PANEL_NAME): one name for the business.
      businessName: this.config.seller.name,
      supportEmail: this.config.site.supportEmail ?? null,
      termsUrl: this.config.site.termsUrl ?? null,
      privacyUrl: this.config.site.privacyUrl ?? null,
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
