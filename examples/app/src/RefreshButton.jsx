'use client';
// A client component calling a Server Action. `refreshClock` is, in the browser bundle, a stub
// made by the plugin's client layer; calling it POSTs to the server through `callServer`.
import { useState } from 'react';
import { refreshClock } from './actions.js';

export function RefreshButton() {
  const [status, setStatus] = useState('');
  const [pending, setPending] = useState(false);

  async function onClick() {
    setPending(true);
    try {
      const { revalidatedAt } = await refreshClock();
      setStatus(`revalidateTag('clock') ran at ${revalidatedAt.slice(11, 23)}`);
    } catch (error) {
      setStatus(`Action failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="action">
      <button type="button" data-testid="refresh" onClick={onClick} disabled={pending}>
        {pending ? 'Revalidating…' : "Revalidate tag 'clock'"}
      </button>
      <output data-testid="refresh-status">{status}</output>
    </div>
  );
}
