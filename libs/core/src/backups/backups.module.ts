import { Module } from '@nestjs/common';
import { BackupService } from './backup.service';

/** Database dumps into BACKUP_DIR; needs the global config and DatabaseModule. */
@Module({ providers: [BackupService], exports: [BackupService] })
export class BackupsModule {}
