import type { JsonObject } from '../../../emulator/model/json.js';
import type { Envelope, TwinStudioApi } from '../../../main/contract/index.js';

/** What a bulk action does to each selected device. */
export type BulkAction =
  | { readonly kind: 'delete' }
  | { readonly kind: 'status'; readonly status: 'enabled' | 'disabled' }
  | { readonly kind: 'patch'; readonly section: 'tags' | 'desired'; readonly patch: JsonObject }
  | { readonly kind: 'simulation'; readonly runState: 'running' | 'stopped' };

/** Progress and failures of a bulk run. */
export interface BulkProgress {
  readonly done: number;
  readonly total: number;
  readonly failures: readonly { readonly deviceId: string; readonly message: string }[];
}

/** Calls in flight at once: enough to be quick, few enough not to flood the host. */
const CONCURRENCY = 8;

function one(api: TwinStudioApi, action: BulkAction, deviceId: string): Promise<Envelope<unknown>> {
  switch (action.kind) {
    case 'delete': return api.devices.delete({ deviceId });
    case 'status': return api.devices.setStatus({ deviceId, status: action.status });
    // `*`: a bulk patch applies whatever version each twin is at, as a job's twin update would.
    case 'patch': return api.twin.update({ deviceId, patch: { [action.section]: action.patch }, etag: '*' });
    case 'simulation': return api.simulations.setRunState({ deviceId, runState: action.runState });
  }
}

/** Runs `action` on every device (a few at a time), reporting progress; one failure does not stop the rest. */
export async function runBulk(api: TwinStudioApi, action: BulkAction, deviceIds: readonly string[], onProgress: (progress: BulkProgress) => void): Promise<BulkProgress> {
  const failures: { deviceId: string; message: string }[] = [];
  let done = 0;
  let next = 0;
  const report = () => onProgress({ done, total: deviceIds.length, failures: [...failures] });
  const worker = async () => {
    while (next < deviceIds.length) {
      const deviceId = deviceIds[next++] as string;
      const result = await one(api, action, deviceId);
      if (!result.ok) failures.push({ deviceId, message: `${result.error.code}: ${result.error.message}` });
      done += 1;
      if (done % 25 === 0 || done === deviceIds.length) report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, deviceIds.length) }, worker));
  report();
  return { done, total: deviceIds.length, failures };
}
