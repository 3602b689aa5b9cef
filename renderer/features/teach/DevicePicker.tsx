import { useState } from 'react';

import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';

/** A device twin, or a module twin when `moduleId` is set. */
export interface TwinTarget {
  readonly deviceId: string;
  readonly moduleId?: string;
}

/** Picks a device from the hub's device list, and optionally one of its modules by id. */
export function DevicePicker({ value, onChange }: { value: TwinTarget | undefined; onChange: (target: TwinTarget) => void }) {
  const devices = useStore(useStudio().devices);
  const [moduleId, setModuleId] = useState(value?.moduleId ?? '');
  const ids = [...devices.devices.keys()].sort();
  const pick = (deviceId: string, module: string) => {
    if (deviceId) onChange(module.trim() ? { deviceId, moduleId: module.trim() } : { deviceId });
  };
  return (
    <>
      <label className="field narrow"><span>Device</span>
        <select aria-label="Device" value={value?.deviceId ?? ''} onChange={(event) => pick(event.target.value, moduleId)}>
          <option value="" disabled>Choose…</option>
          {ids.map((id) => <option key={id} value={id}>{id}</option>)}
        </select>
      </label>
      <label className="field narrow"><span>Module (optional)</span>
        <input aria-label="Module" value={moduleId} placeholder="device twin" onChange={(event) => setModuleId(event.target.value)} onBlur={() => value && pick(value.deviceId, moduleId)} onKeyDown={(event) => { if (event.key === 'Enter' && value) pick(value.deviceId, moduleId); }} />
      </label>
    </>
  );
}
