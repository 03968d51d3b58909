import { Controller, Get, INestApplication, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthService, UsersService } from '@ozvps/users';
import { createTestDatabase, TestDatabase } from '../../../../test/helpers/database';
import { bootLibs } from '../../../../test/helpers/panel';
import { GlobalExceptionFilter } from '../global-exception.filter';
import { Admin, OpenDuringEnrolment, Public, SecondFactorStep } from './auth.decorators';
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

// Routes whose paths say nothing about two-factor sign-in: only their markers open them.
@Controller('api/anything')
class MarkedController {
  @SecondFactorStep()
  @Get('code-step')
  codeStep() {
    return { step: true };
  }

  @OpenDuringEnrolment()
  @Get('enrolment')
  enrolment() {
    return { enrolment: true };
  }

  @Get('plain')
  plain() {
    return { plain: true };
  }
}

@Admin()
@Controller('api/admin/2fa')
class AdminTwoFactorLookalikeController {
  @Get()
  get() {
    return { admin: true };
  }
}

describe('SessionGuard with two-factor sign-in (ADMIN_REQUIRE_2FA=true)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let libs: INestApplicationContext;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    libs = await bootLibs(db.url, { env: { ADMIN_REQUIRE_2FA: 'true' } });
    @Module({ controllers: [MarkedController, AdminTwoFactorLookalikeController] })
    class ProbeModule {}
    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    app = moduleRef.createNestApplication();
    app.useGlobalGuards(new SessionGuard(libs.get(AuthService)));
    app.useGlobalFilters(new GlobalExceptionFilter());
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await libs.close();
    await db.drop();
  });

  const get = async (path: string, token: string) => {
    const r = await fetch(`${baseUrl}${path}`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    const body = (await r.json()) as { error?: { code: string } };
    return `${r.status}${body.error ? ` ${body.error.code}` : ''}`;
  };

  it('lets a session owing its code reach only @SecondFactorStep() routes', async () => {
    const user = await libs.get(UsersService).create({ email: 'owing@example.test' });
    const { token } = await libs.get(AuthService).startSession(user, {}, { secondFactorPending: true });
    expect(await get('/api/anything/code-step', token)).toBe('200');
    expect(await get('/api/anything/enrolment', token)).toBe('403 two_factor_required');
    expect(await get('/api/anything/plain', token)).toBe('403 two_factor_required');
    expect(await get('/api/admin/2fa', token)).toBe('403 two_factor_required');
  });

  it('lets an admin without 2FA reach only @OpenDuringEnrolment() routes, even one under api/admin/2fa', async () => {
    const admin = await libs.get(UsersService).create({ email: 'chief@example.test', role: 'admin' });
    const { token } = await libs.get(AuthService).startSession(admin);
    expect(await get('/api/anything/enrolment', token)).toBe('200');
    expect(await get('/api/anything/plain', token)).toBe('403 two_factor_enrolment_required');
    expect(await get('/api/admin/2fa', token)).toBe('403 two_factor_enrolment_required');
    const customer = await libs.get(UsersService).create({ email: 'plain@example.test' });
    const customerToken = (await libs.get(AuthService).startSession(customer)).token;
    expect(await get('/api/anything/plain', customerToken)).toBe('200');
  });
});
