// Minimal types for the two aedes-persistence modules we build on; the package ships types only for its
// default export. Only the members we use or override are declared.
declare module 'aedes-persistence/asyncPersistence.js' {
  import type { Subscription } from 'aedes';

  export interface PersistedSubscription {
    topic: string;
    qos: number;
    rh?: number;
    rap?: boolean;
    nl?: boolean;
  }

  export default class MemoryPersistence {
    constructor(opts?: Record<string, unknown>);
    setup(broker: unknown): Promise<void>;
    addSubscriptions(client: { id: string }, subs: readonly (Subscription | PersistedSubscription)[]): Promise<void>;
    removeSubscriptions(client: { id: string }, subs: readonly string[]): Promise<void>;
    subscriptionsByClient(client: { id: string }): Promise<PersistedSubscription[]>;
    cleanSubscriptions(client: { id: string }): Promise<void>;
  }
}

declare module 'aedes-persistence/callBackPersistence.js' {
  export class CallBackPersistence {
    constructor(factory: (opts: Record<string, unknown>) => unknown, opts?: Record<string, unknown>);
  }
}
