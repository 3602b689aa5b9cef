import { useCallback, useState } from 'react';

import type { MethodResultDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { JsonBlock } from '../../components/JsonBlock.js';
import { usePoll } from '../jobs/use-poll.js';
import { propertyRows } from './digital-twin-rows.js';

const show = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

/** A device as IoT Plug and Play sees it: model id, properties with their acknowledgement state, and commands. */
export function PlugAndPlayPanel({ deviceId }: { deviceId: string }) {
  const api = useApi();
  const load = useCallback(() => api.pnp.digitalTwin({ deviceId }), [api, deviceId]);
  const { data, error } = usePoll(load, 2000);
  const model = data ? (data.twin.$metadata as { $model?: string } | undefined)?.$model : undefined;
  const rows = data ? propertyRows(data.twin) : [];
  return (
    <div className="pnp-panel">
      <p data-testid="pnp-model">{model ? <>Model <code>{model}</code></> : 'This device has not announced a model id (MQTT username model-id=…).'}</p>
      {error ? <p className="field-error" role="alert">{describeError(error)}</p> : null}
      {rows.length > 0 ? (
        <table className="table" data-testid="pnp-properties">
          <thead><tr><th>Property</th><th>Reported</th><th>Desired</th><th>Desired version</th><th>Ack version</th><th>Ack</th><th>State</th></tr></thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td>{row.name}</td>
                <td>{show(row.value)}</td>
                <td>{show(row.desiredValue)}</td>
                <td>{row.desiredVersion ?? ''}</td>
                <td>{row.ackVersion ?? ''}</td>
                <td>{row.ackCode === undefined ? '' : `${row.ackCode}${row.ackDescription ? ` ${row.ackDescription}` : ''}`}</td>
                <td data-testid={`pnp-state-${row.name}`}>{row.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <CommandForm deviceId={deviceId} />
    </div>
  );
}

function CommandForm({ deviceId }: { deviceId: string }) {
  const api = useApi();
  const [component, setComponent] = useState('');
  const [commandName, setCommandName] = useState('');
  const [payload, setPayload] = useState('{}');
  const [result, setResult] = useState<{ ok: true; value: MethodResultDto } | { ok: false; message: string }>();
  const invoke = async () => {
    let parsed: MethodResultDto['payload'];
    try {
      parsed = JSON.parse(payload) as MethodResultDto['payload'];
    } catch (error) {
      setResult({ ok: false, message: `The payload is not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    const response = await api.pnp.invokeCommand({ deviceId, ...(component ? { component } : {}), commandName, payload: parsed, responseTimeoutInSeconds: 30 });
    setResult(response.ok ? { ok: true, value: response.value } : { ok: false, message: describeError(response.error) });
  };
  return (
    <section aria-label="Plug and Play command">
      <h3>Command</h3>
      <p className="muted small">Models are not loaded, so name the command: a component's command reaches the device as the method <code>component*command</code>.</p>
      <div className="row">
        <label className="field"><span>Component (optional)</span><input value={component} onChange={(event) => setComponent(event.target.value)} /></label>
        <label className="field"><span>Command name</span><input value={commandName} onChange={(event) => setCommandName(event.target.value)} /></label>
      </div>
      <label className="field"><span>Payload (JSON)</span><textarea rows={2} value={payload} onChange={(event) => setPayload(event.target.value)} /></label>
      <button type="button" className="button primary" disabled={commandName === ''} onClick={() => void invoke()}>Invoke command</button>
      {result?.ok ? <><p>Status <strong data-testid="pnp-command-status">{result.value.status}</strong></p><JsonBlock value={result.value.payload} label="Command response" /></> : null}
      {result && !result.ok ? <p className="field-error" role="alert">{result.message}</p> : null}
    </section>
  );
}
