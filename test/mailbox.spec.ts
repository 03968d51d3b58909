import { createTransport } from 'nodemailer';
import { startMailbox, SandboxMailbox } from './fakes/mailbox';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';

describe('the sandbox mailbox (a real SMTP catcher and its page)', () => {
  let smtp: FakeSmtp;
  let mailbox: SandboxMailbox;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    mailbox = await startMailbox(smtp);
  });

  afterAll(async () => {
    await mailbox.close();
    await smtp.close();
  });

  it('lists what the SMTP server received, newest first, and shows each body without running it', async () => {
    const empty = await fetch(`${mailbox.url}/`).then((r) => r.text());
    expect(empty).toContain('No mail yet');

    const transport = createTransport({ url: smtp.url });
    for (const subject of ['First <b>one</b>', 'Second']) {
      await transport.sendMail({
        from: 'OzVPS <noreply@sandbox.localhost>',
        to: 'ann@example.test',
        subject,
        text: `Plain ${subject}`,
        html: `<p>Hi</p><script>alert("${subject}")</script>`,
      });
    }
    transport.close();

    const list = await fetch(`${mailbox.url}/`).then((r) => r.text());
    expect(list.indexOf('Second')).toBeLessThan(list.indexOf('First &lt;b&gt;one&lt;/b&gt;'));
    expect(list).not.toContain('<b>one</b>');
    expect(list).toContain('href="/messages/0"');

    const res = await fetch(`${mailbox.url}/messages/0`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const message = await res.text();
    expect(message).toContain(
      '<iframe sandbox="" title="HTML body" srcdoc="&lt;p&gt;Hi&lt;/p&gt;&lt;script&gt;',
    );
    expect(message).not.toContain('<script>');
    expect(message).toContain('<pre>Plain First &lt;b&gt;one&lt;/b&gt;');
    expect((await fetch(`${mailbox.url}/messages/9`)).status).toBe(404);
  });
});
