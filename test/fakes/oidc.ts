import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface FakeOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The next browser that reaches the provider signs in as this person. */
  nextLogin(claims: { sub: string; email?: string; email_verified?: boolean; name?: string }): Promise<void>;
  stop(): Promise<void>;
}

/** Starts test/fakes/oidc-provider.mjs (the real `oidc-provider` package) as its own process. */
export async function startFakeOidcProvider(port: number, redirectUri: string): Promise<FakeOidcProvider> {
  const clientId = 'ozvps-panel-test';
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}${Date.now()}`;
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      PATH: process.env.PATH,
      OIDC_FAKE_PORT: String(port),
      OIDC_FAKE_CLIENT_ID: clientId,
      OIDC_FAKE_CLIENT_SECRET: clientSecret,
      OIDC_FAKE_REDIRECT_URI: redirectUri,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the fake OIDC provider did not start:\n${output}`)),
      20_000,
    );
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('oidc-provider ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (output += d));
    child.once('exit', (code) => reject(new Error(`the fake OIDC provider exited with ${code}:\n${output}`)));
  });
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    clientId,
    clientSecret,
    async nextLogin(claims) {
      const r = await fetch(`${issuer}/test/next-login`, { method: 'POST', body: JSON.stringify(claims) });
      if (r.status !== 204) throw new Error(`next-login answered ${r.status}`);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Cookies per host, as a browser keeps them (enough for the flows under test). */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  header(url: string): string {
    const jar = this.jars.get(new URL(url).host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  store(url: string, response: Response): void {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.jars.set(host, jar);
  }

  get(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).host)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.jars.set(host, jar);
  }

  /** GET without following redirects, sending and keeping cookies. */
  async get302(url: string): Promise<{ status: number; location: string | null; response: Response }> {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: this.header(url) } });
    this.store(url, response);
    const location = response.headers.get('location');
    return { status: response.status, location: location ? new URL(location, url).href : null, response };
  }
}
