import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * What the server does with the next message: take it, refuse it (4xx/5xx), drop the line, never
 * answer, or take it only once `holdUntil` settles (calling `arrived` when the body is in).
 */
export type SmtpBehaviour =
  | 'accept'
  | { reply: number; text?: string }
  | 'close'
  | 'hang'
  | { holdUntil: Promise<unknown>; arrived?: () => void };

export interface ReceivedMail {
  receivedAt: Date;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  parsed: ParsedMail;
}

export interface FakeSmtp {
  /** smtp://user:pass@127.0.0.1:<port> */
  url: string;
  port: number;
  user: string;
  password: string;
  received: ReceivedMail[];
  /** Every message that reached DATA, whatever was answered (accepted ones are also in `received`). */
  attempts: number;
  /** The next messages, in order, get these behaviours; afterwards the default. */
  next(...behaviours: SmtpBehaviour[]): void;
  /** What every message gets once the queue from next() is empty (initially 'accept'). */
  setDefault(behaviour: SmtpBehaviour): void;
  /** Messages to this recipient get `behaviour` (before the queue and the default); undefined removes it. */
  setFor(recipient: string, behaviour: SmtpBehaviour | undefined): void;
  /** Waits until `n` messages matching `where` were accepted (polls; never a fixed sleep). */
  waitFor(n: number, where?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) in the test process, requiring AUTH PLAIN/LOGIN with the given
 * credentials over plain TCP, parsing what arrives with mailparser.
 */
export async function startFakeSmtp(
  options: { user?: string; password?: string; port?: number } = {},
): Promise<FakeSmtp> {
  const user = options.user ?? 'mailer';
  const password = options.password ?? 'smtp-pw-Zq8v3Kx1';
  const queue: SmtpBehaviour[] = [];
  let fallback: SmtpBehaviour = 'accept';
  const perRecipient = new Map<string, SmtpBehaviour>();
  const received: ReceivedMail[] = [];
  const state = { attempts: 0 };

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      const err = Object.assign(new Error('Authentication failed'), { responseCode: 535 });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.attempts++;
        const rule = session.envelope.rcptTo.map((r) => perRecipient.get(r.address)).find(Boolean);
        const behaviour = rule ?? queue.shift() ?? fallback;
        if (behaviour === 'hang') return;
        if (behaviour === 'close') {
          for (const c of server.connections) if (c.id === session.id) c._socket.destroy();
          return;
        }
        if (typeof behaviour === 'object' && 'holdUntil' in behaviour) {
          behaviour.arrived?.();
          void behaviour.holdUntil.then(() => accept());
          return;
        }
        if (behaviour !== 'accept') {
          const text = behaviour.text ?? (behaviour.reply >= 500 ? 'Mailbox unavailable' : 'Try again later');
          return callback(Object.assign(new Error(text), { responseCode: behaviour.reply }));
        }
        accept();
      });
      function accept(): void {
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            received.push({
              receivedAt: new Date(),
              from: parsed.from?.text ?? '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              parsed,
            });
            callback(null, 'OK: queued as fake');
          },
          (err: Error) => callback(err),
        );
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://${user}:${password}@127.0.0.1:${port}`,
    port,
    user,
    password,
    received,
    get attempts() {
      return state.attempts;
    },
    next: (...behaviours) => queue.push(...behaviours),
    setDefault: (behaviour) => {
      fallback = behaviour;
    },
    setFor: (recipient, behaviour) => {
      if (behaviour === undefined) perRecipient.delete(recipient);
      else perRecipient.set(recipient, behaviour);
    },
    async waitFor(n, where = () => true, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = received.filter(where);
        if (found.length >= n) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `expected ${n} message(s), received ${received.filter(where).length} in ${timeoutMs} ms`,
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.connections) c._socket.destroy();
        server.close(() => resolve());
      }),
  };
}
