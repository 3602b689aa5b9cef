import { useState, type FormEvent } from 'react';

import type { DeviceDetails } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';

/** iothub-protocol.md §10: the registry's device id alphabet (checked again by the hub). */
const DEVICE_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;

/** Registers a device (real or, when the hub offers it, simulated). */
export function RegisterDevice({ onCreated, onCancel }: { onCreated: (device: DeviceDetails) => void; onCancel: () => void }) {
  const api = useApi();
  const status = useStore(useStudio().status);
  const [deviceId, setDeviceId] = useState('');
  const [simulated, setSimulated] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const canSimulate = status?.features.simulation === true;
  const idProblem = deviceId && !DEVICE_ID.test(deviceId) ? "Use 1-128 letters, digits or - . % _ * ? ! ( ) , : = @ $ '" : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!deviceId || idProblem) return;
    setBusy(true);
    const result = await api.devices.create({ deviceId, ...(simulated ? { simulated } : {}) });
    setBusy(false);
    if (result.ok) onCreated(result.value);
    else setError(describeError(result.error));
  };

  return (
    <form className="register-form" onSubmit={(event) => void submit(event)} aria-label="Register a device">
      <label className="field">
        <span>Device id</span>
        <input
          autoFocus
          value={deviceId}
          onChange={(event) => {
            setDeviceId(event.target.value);
            setError(undefined);
          }}
          placeholder="thermostat-01"
          aria-invalid={idProblem ? true : undefined}
          onKeyDown={(event) => event.key === 'Escape' && onCancel()}
        />
      </label>
      {idProblem ? <p className="field-error">{idProblem}</p> : null}
      <label className="checkbox" title={canSimulate ? '' : 'This hub does not offer simulated devices yet.'}>
        <input type="checkbox" checked={simulated} disabled={!canSimulate} onChange={(event) => setSimulated(event.target.checked)} />
        Simulated (the hub runs a device for you)
      </label>
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      <div className="row">
        <button type="submit" className="button primary" disabled={!deviceId || Boolean(idProblem) || busy}>
          Register
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
