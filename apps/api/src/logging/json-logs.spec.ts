import { createServer, IncomingMessage, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp, { Options } from 'pino-http';
import { testConfig } from '../../../../test/helpers/panel';
import { jsonLogParams } from './json-logs';

/** The panel's pino-http configuration in front of a handler, every line kept. */
async function aLoggedServer(
  handle: (req: IncomingMessage & { log: { info(obj: object, msg: string): void } }) => void,
): Promise<{ server: Server; url: string; lines: () => Record<string, unknown>[] }> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const options = jsonLogParams(testConfig('postgres://unused@localhost/x')).pinoHttp as Options;
  const logger = pinoHttp(options, sink);
  const server = createServer((req, res) => {
    logger(req, res);
    handle(req as never);
    res.setHeader('Set-Cookie', 'ozvps_session=set-cookie-secret; HttpOnly');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { server, url, lines };
}

describe('JSON logs: secrets are censored by the logger configuration', () => {
  it('never writes credentials from headers, query strings or logged objects', async () => {
    const { server, url, lines } = await aLoggedServer((req) =>
      req.log.info(
        {
          password: 'field-password-1',
          user: { token: 'nested-token-2', email: 'a@example.test' },
          body: { form: { secret: 'deep-secret-3', code: '123456' } },
        },
        'inside the request',
      ),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const req = request(
          `${url}/api/auth/oidc/callback?code=query-code-4&state=s`,
          {
            headers: {
              authorization: 'Bearer header-token-5',
              cookie: 'ozvps_session=cookie-secret-6',
              'stripe-signature': 't=1,v1=signature-7',
              'x-request-id': 'plain-id-1',
            },
          },
          (res) => res.resume().on('end', resolve),
        );
        req.on('error', reject).end();
      });
    } finally {
      server.close();
    }
    const written = lines();
    const text = JSON.stringify(written);
    for (const secret of [
      'field-password-1',
      'nested-token-2',
      'deep-secret-3',
      '123456',
      'query-code-4',
      'header-token-5',
      'cookie-secret-6',
      'signature-7',
      'set-cookie-secret',
    ])
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    const inside = written.find((l) => l.msg === 'inside the request');
    expect(inside).toMatchObject({
      password: '[redacted]',
      user: { token: '[redacted]', email: 'a@example.test' },
      body: { form: { secret: '[redacted]', code: '[redacted]' } },
    });
    const done = written.find((l) => l.msg === 'request completed');
    expect(done).toMatchObject({
      req: { method: 'GET', url: '/api/auth/oidc/callback' },
      res: { statusCode: 200 },
    });
    // Every line of the request carries its id.
    expect(written.map((l) => typeof l.requestId)).toEqual(written.map(() => 'string'));
  });
});
