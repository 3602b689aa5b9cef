import { useCallback, useState } from 'react';

import type { FaultsStatusDto, IpcError } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { usePoll } from '../jobs/use-poll.js';
import { EMPTY_FAULT_FORM, FAULT_CHOICES, faultSpecOf, SDK_TYPES, type FaultChoice, type FaultFormValues } from './fault-form.js';

/**
 * Faults on purpose (emulator/faults/README.md): drop a device, refuse its connections, slow the hub down, lose QoS 0
 * messages, expire a token, time methods out, take the whole hub down. Each injected fault shows in the Traffic view
 * as a `fault` row.
 */
export function FaultsView() {
  const api = useApi();
  const load = useCallback(() => api.faults.status({}), [api]);
  const { data, refresh } = usePoll<FaultsStatusDto>(load, 2000);
  const [form, setForm] = useState<FaultFormValues>(EMPTY_FAULT_FORM);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const show = (result: { ok: true } | { ok: false; error: IpcError }, done: string) => {
    setMessage(result.ok ? { text: done, error: false } : { text: describeError(result.error), error: true });
    refresh();
  };
  const inject = async () => {
    const spec = faultSpecOf(form);
    if (!spec.ok) {
      setMessage({ text: spec.message, error: true });
      return;
    }
    show(await api.faults.inject({ spec: spec.spec }), `Injected: ${FAULT_CHOICES.find((choice) => choice.id === form.fault)?.label ?? form.fault}${form.device.trim() === '' ? ' (every device)' : ` on ${form.device.trim()}`}.`);
  };
  const choice = FAULT_CHOICES.find((item) => item.id === form.fault);
  const set = (patch: Partial<FaultFormValues>) => setForm({ ...form, ...patch });
  return (
    <section className="faults-view" aria-label="Faults">
      <h2>Faults</h2>
      <p className="muted">Rehearse what the cloud does to devices. Every injected fault appears in the Traffic view as a <code>fault</code> row.</p>
      <form className="fault-form" onSubmit={(event) => { event.preventDefault(); void inject(); }}>
        <label className="field"><span>Fault</span>
          <select aria-label="Fault" value={form.fault} onChange={(event) => set({ fault: event.target.value as FaultChoice })}>
            {FAULT_CHOICES.map((item) => <option key={item.id} value={item.id}>{item.label}</option>)}
          </select>
        </label>
        <p className="muted small">{choice?.help}</p>
        <label className="field"><span>Device id (empty: every device)</span>
          <input aria-label="Device id" value={form.device} onChange={(event) => set({ device: event.target.value })} />
        </label>
        {form.fault === 'sdk' ? (
          <label className="field"><span>Operation</span>
            <select aria-label="Operation" value={form.sdkType} onChange={(event) => set({ sdkType: event.target.value })}>
              {SDK_TYPES.map((type) => <option key={type} value={type}>{type}</option>)}
            </select>
          </label>
        ) : null}
        {form.fault === 'latency' ? (
          <>
            <label className="field"><span>Latency (ms)</span><input aria-label="Latency (ms)" value={form.latencyMs} onChange={(event) => set({ latencyMs: event.target.value })} /></label>
            <label className="field"><span>Jitter (ms)</span><input aria-label="Jitter (ms)" value={form.jitterMs} onChange={(event) => set({ jitterMs: event.target.value })} /></label>
          </>
        ) : null}
        {form.fault === 'lossQos0' ? (
          <label className="field"><span>Share lost (%)</span><input aria-label="Share lost (%)" value={form.percent} onChange={(event) => set({ percent: event.target.value })} /></label>
        ) : null}
        {form.fault === 'drop' || form.fault === 'expireToken' ? null : (
          <label className="field"><span>Duration (s, empty: until cleared)</span>
            <input aria-label="Duration (s)" value={form.durationSeconds} onChange={(event) => set({ durationSeconds: event.target.value })} />
          </label>
        )}
        <button type="submit" className="button primary">Inject fault</button>
      </form>
      {message ? <p role={message.error ? 'alert' : 'status'} className={message.error ? 'field-error' : undefined}>{message.text}</p> : null}
      <section aria-label="Hub outage">
        <h3>Hub outage</h3>
        <p className="muted small">Closes every listener: devices and back ends get refused connections until the hub is brought back.</p>
        <p data-testid="hub-outage">{data?.hubDown ? 'The hub is down.' : 'The hub is up.'}</p>
        <button type="button" className="button danger" disabled={data?.hubDown === true} onClick={() => void api.faults.inject({ spec: { fault: 'hubDown' } }).then((result) => show(result, 'The hub is down.'))}>Take the hub down</button>{' '}
        <button type="button" className="button" disabled={data?.hubDown !== true} onClick={() => void api.faults.inject({ spec: { fault: 'hubUp' } }).then((result) => show(result, 'The hub is back up.'))}>Bring the hub back</button>
      </section>
      <section aria-label="Active faults">
        <h3>Active faults</h3>
        {data && data.active.length > 0 ? (
          <ul className="fault-list">
            {data.active.map((fault) => (
              <li key={fault.id} data-testid={`active-fault-${fault.id}`}>
                {fault.mode}{fault.error ? ` ${fault.error}` : ''} on {fault.deviceId ?? 'every device'}
                {fault.latencyMs === undefined ? '' : `, ${fault.latencyMs} ms ± ${fault.jitterMs ?? 0}`}
                {fault.fraction === undefined ? '' : `, ${Math.round(fault.fraction * 100)} % lost`}
                {fault.remainingMs === null ? ', until cleared' : `, ${Math.ceil(fault.remainingMs / 1000)} s left`}
              </li>
            ))}
          </ul>
        ) : <p className="muted">No timed fault is in force.</p>}
        <button type="button" className="button" onClick={() => void api.faults.clear({}).then((result) => show(result, 'Every fault cleared.'))}>Clear all faults</button>
      </section>
      <section aria-label="SDK fault injection">
        <h3>SDK fault injection</h3>
        <label className="checkbox">
          <input type="checkbox" checked={data?.sdkProperties === true} onChange={(event) => void api.faults.setSdkProperties({ enabled: event.target.checked }).then((result) => show(result, event.target.checked ? 'Devices may now request faults.' : 'Fault requests are ordinary telemetry again.'))} />
          <span>Devices may request faults with <code>AzIoTHub_FaultOperationType</code> message properties (the Azure SDKs’ end-to-end test convention)</span>
        </label>
      </section>
    </section>
  );
}
