import { Injectable, PipeTransform } from '@nestjs/common';
import { MailMessageNotFoundError } from '@ozvps/notifications';

/** A message id from the path: anything but a positive whole number PostgreSQL can hold is a 404. */
@Injectable()
export class MailIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value)))
      throw new MailMessageNotFoundError(value.slice(0, 24));
    return Number(value);
  }
}
