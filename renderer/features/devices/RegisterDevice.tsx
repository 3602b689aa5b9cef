import { useEffect, useState, type FormEvent } from 'react';

import type { SimulationProfileDto, X509DeviceDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { X509Issued } from './X509Issued.js';

/** How a real device authenticates: its SAS keys, or an X.509 certificate from the hub's built-in test PKI. */
type Credential = 'sas' | 'selfSigned' | 'caSigned';

/** iothub-protocol.md §10: the registry's device id alphabet (checked again by the hub). */
const DEVICE_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;

/** The profile the picker starts on. */
const DEFAULT_PROFILE = 'thermostat';

/** Registers a device: a real one (you connect it) or a simulated one (the hub runs it from a profile). */
export function RegisterDevice({ onCreated, onCancel }: { onCreated: (deviceId: string) => void; onCancel: () => void }) {
  const api = useApi();
  const status = useStore(useStudio().status);
  const [deviceId, setDeviceId] = useState('');
  const [simulated, setSimulated] = useState(false);
  const [profiles, setProfiles] = useState<readonly SimulationProfileDto[]>([]);
  const [profile, setProfile] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [credential, setCredential] = useState<Credential>('sas');
  const [issued, setIssued] = useState<X509DeviceDto>();
  const canSimulate = status?.features.simulation === true;
  const idProblem = deviceId && !DEVICE_ID.test(deviceId) ? "Use 1-128 letters, digits or - . % _ * ? ! ( ) , : = @ $ '" : undefined;

  useEffect(() => {
    if (!simulated || profiles.length > 0) return;
    void api.simulations.profiles({}).then((result) => {
      if (!result.ok) return setError(describeError(result.error));
      setProfiles(result.value);
      // Profiles come sorted by name (firmware-update first); a new user wants the plain reporting device.
      const preferred = result.value.find((candidate) => candidate.name === DEFAULT_PROFILE) ?? result.value[0];
      setProfile((current) => current || (preferred?.name ?? ''));
    });
  }, [api, simulated, profiles.length]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!deviceId || idProblem || (simulated && !profile)) return;
    setBusy(true);
    if (!simulated && credential !== 'sas') {
      const made = await api.devices.createWithCertificate({ deviceId, mode: credential });
      setBusy(false);
      // The files are shown (and offered for download) before the device is opened.
      if (made.ok) setIssued(made.value);
      else setError(describeError(made.error));
      return;
    }
    const result = simulated ? await api.simulations.create({ deviceId, profile }) : await api.devices.create({ deviceId });
    setBusy(false);
    if (result.ok) onCreated(deviceId);
    else setError(describeError(result.error));
  };

  if (issued) return <X509Issued issued={issued} onDone={() => onCreated(issued.device.deviceId)} />;

  const chosen = profiles.find((candidate) => candidate.name === profile);
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
      <label className="checkbox" title={canSimulate ? '' : 'The simulator is not available in this hub.'}>
        <input type="checkbox" checked={simulated} disabled={!canSimulate} onChange={(event) => setSimulated(event.target.checked)} />
        Simulated (the hub runs the device for you)
      </label>
      {!simulated ? (
        <label className="field">
          <span>Authentication</span>
          <select value={credential} onChange={(event) => setCredential(event.target.value as Credential)} aria-label="Authentication">
            <option value="sas">Symmetric key (SAS)</option>
            <option value="selfSigned">X.509 (self-signed)</option>
            <option value="caSigned">X.509 (CA-signed)</option>
          </select>
        </label>
      ) : null}
      {simulated ? (
        <label className="field">
          <span>Profile</span>
          <select value={profile} onChange={(event) => setProfile(event.target.value)} aria-label="Simulation profile">
            {profiles.map((candidate) => <option key={candidate.name} value={candidate.name}>{candidate.name}</option>)}
          </select>
          {chosen?.description ? <span className="muted small">{chosen.description}</span> : null}
        </label>
      ) : null}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      <div className="row">
        <button type="submit" className="button primary" disabled={!deviceId || Boolean(idProblem) || busy || (simulated && !profile)}>
          Register
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
