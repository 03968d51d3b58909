// A real OpenID provider (the `oidc-provider` package) for the test suite and the sandbox.
// Sign-in is automatic: whoever the last POST /test/next-login named signs in and consents.
//   OIDC_FAKE_PORT, OIDC_FAKE_CLIENT_ID, OIDC_FAKE_CLIENT_SECRET, OIDC_FAKE_REDIRECT_URI
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_FAKE_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = new Map();
let nextLogin = null;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_FAKE_CLIENT_ID,
      client_secret: process.env.OIDC_FAKE_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_FAKE_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // put email and name in the ID token, where the panel reads them
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const account = accounts.get(sub);
    return account && { accountId: sub, claims: async () => ({ sub, ...account }) };
  },
});

async function finishInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    if (!nextLogin) throw new Error('no account queued with POST /test/next-login');
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: nextLogin } },
      { mergeWithLastSubmission: false },
    );
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  for (const claim of ['email', 'email_verified', 'name']) grant.addOIDCClaims([claim]);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/test/next-login') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const { sub, ...claims } = JSON.parse(body);
      accounts.set(sub, claims);
      nextLogin = sub;
      res.writeHead(204).end();
    });
    return;
  }
  if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
    finishInteraction(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`oidc-provider ready on ${issuer}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
