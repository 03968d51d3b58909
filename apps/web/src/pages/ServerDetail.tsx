import { useMemo } from 'react';
import { customerScope } from '../components/server/server-api';
import { ServerPage } from '../components/server/ServerPage';

/** The customer's own server: /servers/:id. */
export function ServerDetail({ id, pollMs }: { id: string; pollMs?: number }) {
  const scope = useMemo(() => customerScope(id), [id]);
  return <ServerPage scope={scope} pollMs={pollMs} />;
}
