import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_CONFIG, AppConfig } from './app-config';

/**
 * Makes the validated AppConfig injectable everywhere. The config is loaded by the app's
 * main.ts before Nest starts, so a bad value stops the process with a plain message instead
 * of a stack trace from inside module construction.
 */
@Global()
@Module({})
export class CoreConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreConfigModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, load: [() => ({ app: config })] }),
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
