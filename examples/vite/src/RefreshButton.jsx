'use client';
import { useTransition } from 'react';

export function RefreshButton({ action }) {
  const [pending, startTransition] = useTransition();
  return (
    <button type="button" data-testid="refresh" disabled={pending} onClick={() => startTransition(() => action())}>
      {pending ? 'Refreshing…' : 'Refresh the cached clock'}
    </button>
  );
}
