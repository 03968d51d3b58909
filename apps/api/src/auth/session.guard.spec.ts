import { Controller, Get, INestApplication, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthService, UsersService } from '@ozvps/users';
import { createTestDatabase, TestDatabase } from '../../../../test/helpers/database';
import { bootLibs } from '../../../../test/helpers/panel';
import { Public } from './auth.decorators';
import { SESSION_COOKIE } from './session-cookie';
import { SessionGuard } from './session.guard';

// Stand-ins for routes a later change might add, written the careless way.
@Public()
@Controller('api/admin/probe')
class CarelessAdminController {
  @Get()
  secret() {
    return { secret: true };
  }
}

@Controller('api/probe')
class UndecoratedController {
  @Get()
  mine() {
    return { mine: true };
  }
}

describe('SessionGuard', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let libs: INestApplicationContext;
  let baseUrl: string;
  let userToken: string;
  let adminToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    libs = await bootLibs(db.url);
    @Module({ controllers: [CarelessAdminController, UndecoratedController] })
    class ProbeModule {}
    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    app = moduleRef.createNestApplication();
    app.useGlobalGuards(new SessionGuard(libs.get(AuthService)));
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const users = libs.get(UsersService);
    const auth = libs.get(AuthService);
    userToken = (await auth.startSession(await users.create({ email: 'u@example.test' }))).token;
    adminToken = (await auth.startSession(await users.create({ email: 'a@example.test', role: 'admin' })))
      .token;
  });

  afterAll(async () => {
    await app.close();
    await libs.close();
    await db.drop();
  });

  const get = (path: string, token?: string) =>
    fetch(`${baseUrl}${path}`, { headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {} }).then(
      (r) => r.status,
    );

  it('keeps a new /api/admin route admin-only even when it is marked @Public()', async () => {
    expect(await get('/api/admin/probe')).toBe(401);
    expect(await get('/api/admin/probe', userToken)).toBe(403);
    expect(await get('/api/admin/probe', adminToken)).toBe(200);
  });

  it('requires a session on a new route that says nothing', async () => {
    expect(await get('/api/probe')).toBe(401);
    expect(await get('/api/probe', userToken)).toBe(200);
  });
});
