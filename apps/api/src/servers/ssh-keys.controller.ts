import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Allow } from 'class-validator';
import { SshKeyNotFoundError, SshKeysService, toSshKeyView } from '@ozvps/servers';
import { User } from '@ozvps/users';
import { CurrentUser } from '../auth/auth.decorators';

/** Checked by SshKeysService: the key is parsed, not pattern-matched. */
export class AddSshKeyDto {
  @Allow()
  name!: unknown;

  @Allow()
  publicKey!: unknown;
}

/** The signed-in customer's SSH public keys. */
@Controller('api/ssh-keys')
export class SshKeysController {
  constructor(private readonly keys: SshKeysService) {}

  @Get()
  async list(@CurrentUser() user: User) {
    return (await this.keys.list(user.id)).map(toSshKeyView);
  }

  /** 201 with the key; 422 invalid_ssh_key (not an ed25519, ecdsa or rsa ≥ 2048 public key). */
  @Post()
  async add(@CurrentUser() user: User, @Body() body: AddSshKeyDto) {
    return toSshKeyView(await this.keys.add(user.id, body ?? { name: undefined, publicKey: undefined }));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: User, @Param('id') id: string) {
    if (!/^[1-9][0-9]{0,15}$/.test(id)) throw new SshKeyNotFoundError(id.slice(0, 24));
    await this.keys.remove(user.id, Number(id));
  }
}
