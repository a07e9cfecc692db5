/** Re-renders a component whenever the console store changes. */
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleStore } from '../state/store.js';
import type { ConsoleState } from '../state/types.js';

export function useStoreState(store: ConsoleStore): ConsoleState {
  const [state, setState] = useState(store.state);
  useEffect(() => {
    setState(store.state);
    return store.subscribe(() => setState(store.state));
  }, [store]);
  return state;
}

/** The current time, refreshed every `ms` (for timers and "3 min ago"). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
