import { useEffect, useState } from 'react';
import type { Health } from '@dispute-room/shared';

export function App() {
  const [health, setHealth] = useState<Health | null>(null);
  useEffect(() => {
    void fetch('/api/health')
      .then((res) => res.json() as Promise<Health>)
      .then(setHealth);
  }, []);
  return (
    <main>
      <h1>The dispute room</h1>
      <p data-testid="health">
        {health ? `database ${health.mongo}, redis ${health.redis}` : 'checking…'}
      </p>
    </main>
  );
}
