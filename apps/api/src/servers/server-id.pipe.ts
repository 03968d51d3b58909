import { Injectable, PipeTransform } from '@nestjs/common';
import { ServerNotFoundError } from '@ozvps/servers';

/** A server id from the path: anything but a positive whole number is "no such server" (404). */
@Injectable()
export class ServerIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value)))
      throw new ServerNotFoundError(value.slice(0, 24));
    return Number(value);
  }
}
