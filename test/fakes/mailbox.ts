import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeSmtp } from './smtp';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}
iframe{width:100%;height:32rem;border:1px solid #ccc}</style></head>
<body>${body}</body></html>`;

export interface SandboxMailbox {
  url: string;
  close(): Promise<void>;
}

/**
 * The sandbox mailbox: every message the fake SMTP server accepted, newest first, and each one's
 * HTML body (in a sandboxed frame: no scripts, no remote loads from the page's origin) and text.
 */
export async function startMailbox(smtp: FakeSmtp, port = 0): Promise<SandboxMailbox> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://mailbox').pathname;
    const send = (status: number, html: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src data:",
      });
      res.end(html);
    };
    if (path === '/') {
      const rows = smtp.received
        .map((m, i) => ({ m, i }))
        .reverse()
        .map(
          ({ m, i }) =>
            `<tr><td>${escape(m.receivedAt.toISOString().replace('T', ' ').slice(0, 19))}</td><td>${escape(m.to.join(', '))}</td><td><a href="/messages/${i}">${escape(m.subject || '(no subject)')}</a></td></tr>`,
        )
        .join('');
      return send(
        200,
        page(
          'Sandbox mailbox',
          `<h1>Sandbox mailbox</h1><p>Every email the sandbox panel sent (${smtp.received.length}). Reload to see new ones.</p>` +
            (rows
              ? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`
              : '<p>No mail yet: sign up or top up in the panel.</p>'),
        ),
      );
    }
    const match = /^\/messages\/(\d+)$/.exec(path);
    const m = match ? smtp.received[Number(match[1])] : undefined;
    if (!m)
      return send(
        404,
        page('Not found', '<h1>No such message</h1><p><a href="/">Back to the mailbox</a></p>'),
      );
    return send(
      200,
      page(
        m.subject,
        `<p><a href="/">← Mailbox</a></p><h1>${escape(m.subject)}</h1>` +
          `<p>From ${escape(m.from)}<br>To ${escape(m.to.join(', '))}<br>${escape(m.receivedAt.toISOString())}</p>` +
          `<h2>HTML</h2><iframe sandbox="" title="HTML body" srcdoc="${escape(m.html)}"></iframe>` +
          `<h2>Plain text</h2><pre>${escape(m.text)}</pre>`,
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
