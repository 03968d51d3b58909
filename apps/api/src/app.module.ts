import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, CoreConfigModule, DatabaseModule } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { BUILD_INFO, BuildInfo } from '@ozvps/core';
import { SystemController } from './system.controller';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, buildInfo: BuildInfo): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreConfigModule.forRoot(config), DatabaseModule.forRoot(SCHEMA), UsersModule, WalletModule],
      controllers: [SystemController],
      providers: [{ provide: BUILD_INFO, useValue: buildInfo }],
    };
  }
}
