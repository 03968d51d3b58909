import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

interface Version {
  version: string;
  commit: string;
}

// A placeholder until the panel's pages land: it shows only what the server reports.
function App() {
  const [health, setHealth] = useState<'checking' | 'ok' | 'unavailable'>('checking');
  const [version, setVersion] = useState<Version | null>(null);

  useEffect(() => {
    fetch('/api/health')
      .then((r) => setHealth(r.ok ? 'ok' : 'unavailable'))
      .catch(() => setHealth('unavailable'));
    fetch('/api/version')
      .then((r) => (r.ok ? (r.json() as Promise<Version>) : null))
      .then(setVersion)
      .catch(() => setVersion(null));
  }, []);

  return (
    <main
      style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '3rem auto', padding: '0 1rem' }}
    >
      <h1>OzVPS panel</h1>
      <p>
        Server status: <strong>{health}</strong>
      </p>
      <footer style={{ color: '#666', fontSize: '0.85rem' }}>
        {version ? `v${version.version} · ${version.commit.slice(0, 12)}` : ''}
      </footer>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
