import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

import { useApi } from '../api/api-context.js';
import { StudioState } from './studio-state.js';

const StudioContext = createContext<StudioState | undefined>(undefined);

/** Creates the app-wide state for the API in context and keeps it fed while mounted. */
export function StudioStateProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [state] = useState(() => new StudioState(api));
  useEffect(() => state.start(), [state]);
  return <StudioContext.Provider value={state}>{children}</StudioContext.Provider>;
}

/** The app-wide state. */
export function useStudio(): StudioState {
  const state = useContext(StudioContext);
  if (!state) throw new Error('useStudio outside StudioStateProvider');
  return state;
}
