import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../../api';
import { useMe } from '../../session';
import { ErrorMessage, Loading, PageTitle } from '../../ui';

interface TwoFactorStatus {
  enabled: boolean;
  recoveryCodesLeft: number;
}

interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

const STATUS_KEY = ['two-factor'];

/** A 6-digit code field: numeric keyboard on phones, filled by the OS from an authenticator where it can. */
function CodeInput({ value, onChange, id }: { value: string; onChange: (v: string) => void; id: string }) {
  return (
    <input
      id={id}
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9 ]{6,7}"
      maxLength={7}
      required
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** Recovery codes, shown once, with copy and download: the panel keeps only their hashes. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void | Promise<void> }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const shown = useRef<HTMLDivElement>(null);
  useEffect(() => shown.current?.focus(), []);
  const text = codes.join('\n') + '\n';
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      setCopied('no'); // no clipboard (http, or refused): the codes are selectable
    }
  }
  return (
    <div ref={shown} tabIndex={-1} className="notice success" role="group" aria-label="Recovery codes">
      <p>
        Your recovery codes, shown <strong>only this once</strong>. Each one signs you in once if you lose
        your phone. Keep them somewhere safe, away from your phone.
      </p>
      <ul className="recovery-codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p className="inline">
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy
        </button>{' '}
        <a
          className="button secondary"
          download="recovery-codes.txt"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
        >
          Download
        </a>
      </p>
      <p role="status" className="small">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Copying did not work: select them and copy.' : ''}
      </p>
      <button type="button" onClick={() => void onDone()}>
        Done, I have saved them
      </button>
    </div>
  );
}

/** Setting up: a QR code (and the secret to type), then a code to confirm, then the recovery codes. */
function Enrol({ required }: { required: boolean }) {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const start = useMutation({
    mutationFn: () => api.post<Enrolment>('/api/account/2fa/enrol'),
    onSuccess: setEnrolment,
  });
  const confirm = useMutation({
    mutationFn: (c: string) => api.post<{ recoveryCodes: string[] }>('/api/account/2fa/confirm', { code: c }),
    onSuccess: (answer) => {
      setEnrolment(null);
      setCodes(answer.recoveryCodes);
    },
  });
  if (codes)
    return (
      <RecoveryCodes
        codes={codes}
        onDone={async () => {
          // /me first: it still says "must enrol" until asked again, and would send us straight back.
          await queryClient.refetchQueries({ queryKey: ['me'] });
          await queryClient.invalidateQueries({ queryKey: STATUS_KEY });
          setCodes(null);
          if (required) navigate('/wallet');
        }}
      />
    );
  if (!enrolment)
    return (
      <div className="stack">
        <p>
          Two-factor sign-in asks for a code from an authenticator app on your phone (any app that reads QR
          codes: Google Authenticator, Authy, 1Password, Aegis…) each time you sign in with your password.
        </p>
        <ErrorMessage error={start.error} />
        <button type="button" disabled={start.isPending} onClick={() => start.mutate()}>
          {start.isPending ? 'Starting…' : 'Set up two-factor sign-in'}
        </button>
      </div>
    );
  function submit(e: FormEvent) {
    e.preventDefault();
    confirm.mutate(code.replace(/\s+/g, ''));
  }
  return (
    <form onSubmit={submit} className="stack">
      <p>1. Scan this QR code with your authenticator app.</p>
      <img
        src={enrolment.qrCode}
        width={240}
        height={240}
        alt="QR code to add this account to your authenticator app; the key to type instead is below"
      />
      <p>
        Cannot scan? Type this key into the app instead:{' '}
        <code className="secret" data-testid="two-factor-secret">
          {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
        </code>
      </p>
      <label htmlFor="enrol-code">2. Enter the 6-digit code the app shows</label>
      <CodeInput id="enrol-code" value={code} onChange={setCode} />
      <ErrorMessage error={confirm.error} />
      <button type="submit" disabled={confirm.isPending}>
        {confirm.isPending ? 'Checking…' : 'Turn on two-factor sign-in'}
      </button>
    </form>
  );
}

/** With 2FA on: how many recovery codes are left, a new set, and turning it off. */
function Manage({ status, admin }: { status: TwoFactorStatus; admin: boolean }) {
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [disableCode, setDisableCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const regenerate = useMutation({
    mutationFn: (c: string) =>
      api.post<{ recoveryCodes: string[] }>('/api/account/2fa/recovery-codes', { code: c }),
    onSuccess: (answer) => {
      setCode('');
      setCodes(answer.recoveryCodes);
    },
  });
  const disable = useMutation({
    mutationFn: () =>
      api.post('/api/account/2fa/disable', { password, code: disableCode.replace(/\s+/g, '') }),
    onSuccess: () => {
      setPassword('');
      setDisableCode('');
      void queryClient.invalidateQueries({ queryKey: STATUS_KEY });
      void queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
  if (codes)
    return (
      <RecoveryCodes
        codes={codes}
        onDone={() => {
          setCodes(null);
          void queryClient.invalidateQueries({ queryKey: STATUS_KEY });
        }}
      />
    );
  return (
    <div className="stack">
      <p>
        Two-factor sign-in is <strong>on</strong>. Recovery codes left: {status.recoveryCodesLeft}.
      </p>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          regenerate.mutate(code.replace(/\s+/g, ''));
        }}
      >
        <label htmlFor="regenerate-code">
          Code from your app, for a new set of recovery codes (the old set stops working)
        </label>
        <CodeInput id="regenerate-code" value={code} onChange={setCode} />
        <ErrorMessage error={regenerate.error} />
        <button type="submit" className="secondary" disabled={regenerate.isPending}>
          New recovery codes
        </button>
      </form>
      {admin ? (
        <p className="muted small">Admins must keep two-factor sign-in on.</p>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            disable.mutate();
          }}
        >
          <h3>Turn off two-factor sign-in</h3>
          <label>
            Your password
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <label htmlFor="disable-code">Code from your app</label>
          <CodeInput id="disable-code" value={disableCode} onChange={setDisableCode} />
          <ErrorMessage error={disable.error} />
          <button type="submit" className="danger" disabled={disable.isPending}>
            Turn off
          </button>
        </form>
      )}
    </div>
  );
}

/** The "Two-factor sign-in" section of the account page (`standalone`: the page of its own, titled already). */
export function TwoFactorSection({ standalone = false }: { standalone?: boolean }) {
  const me = useMe();
  const status = useQuery({
    queryKey: STATUS_KEY,
    queryFn: () => api.get<TwoFactorStatus>('/api/account/2fa'),
  });
  if (status.isPending) return <Loading what="your two-factor settings" />;
  if (status.error) return <ErrorMessage error={status.error} />;
  const required = me.data?.twoFactor?.enrolmentRequired === true;
  return (
    <section aria-labelledby={standalone ? undefined : 'two-factor-heading'}>
      {!standalone && <h2 id="two-factor-heading">Two-factor sign-in</h2>}
      {required && (
        <p className="notice" role="note">
          Administrators must use two-factor sign-in. Set it up to reach the rest of the panel.
        </p>
      )}
      {status.data.enabled ? (
        <Manage status={status.data} admin={me.data?.user.role === 'admin'} />
      ) : (
        <Enrol required={required} />
      )}
    </section>
  );
}

/** /account/two-factor: where an admin without 2FA is sent, and where anyone manages it. */
export function TwoFactorPage() {
  const me = useMe();
  return (
    <section className="narrow">
      <PageTitle>Two-factor sign-in</PageTitle>
      <TwoFactorSection standalone />
      {!me.data?.twoFactor?.enrolmentRequired && (
        <p>
          <Link href="/account">Back to your account</Link>
        </p>
      )}
    </section>
  );
}
