import { useMe } from '../../session';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { ChangeEmail } from './ChangeEmail';
import { ChangePassword } from './ChangePassword';
import { Sessions } from './Sessions';

/** The signed-in user's own account: email, password, sessions (and two-factor sign-in). */
export function Account() {
  const me = useMe();
  if (me.isPending) return <Loading what="your account" />;
  if (!me.data) return <ErrorMessage error={me.error ?? 'Sign in first'} />;
  return (
    <section className="narrow account-page">
      <PageTitle>Your account</PageTitle>
      <ChangeEmail user={me.data.user} />
      <ChangePassword />
      {/* Two-factor sign-in (wt/twofa): its section goes here, between the password and the sessions. */}
      <Sessions />
    </section>
  );
}
