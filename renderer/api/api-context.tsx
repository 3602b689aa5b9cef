import { createContext, useContext, type ReactNode } from 'react';

import type { TwinStudioApi } from '../../main/contract/index.js';

const ApiContext = createContext<TwinStudioApi | undefined>(undefined);

/** Makes the API available to every feature (tests pass a fake). */
export function ApiProvider({ api, children }: { api: TwinStudioApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

/** The API; throws outside an ApiProvider. */
export function useApi(): TwinStudioApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
