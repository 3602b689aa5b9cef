import type { Envelope, InvokeChannel, Invokes } from '../../main/contract/index.js';
import type { EmulatorHost } from '../../main/emulator-host.js';
import { dispatch } from '../../main/host/dispatch.js';
import { handlers } from '../../main/host/handlers/index.js';

/** Calls into the studio's real handler table on a host (`hostOf` is read at each call: tests start it in beforeAll). */
export function handlerCalls(hostOf: () => EmulatorHost): {
  call<K extends InvokeChannel>(channel: K, req: Invokes[K]['req']): Promise<Envelope<Invokes[K]['res']>>;
  value<K extends InvokeChannel>(channel: K, req: Invokes[K]['req']): Promise<Invokes[K]['res']>;
} {
  const call = async <K extends InvokeChannel>(channel: K, req: Invokes[K]['req']): Promise<Envelope<Invokes[K]['res']>> =>
    (await dispatch(handlers, { host: hostOf() }, channel, req)) as Envelope<Invokes[K]['res']>;
  return {
    call,
    async value(channel, req) {
      const result = await call(channel, req);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      return result.value;
    },
  };
}
