import { useCallback, useEffect, useState } from 'react';

import type { HeldMessageDto, StepperStateDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';

const KIND_LABELS: Readonly<Record<HeldMessageDto['kind'], string>> = {
  desired: 'desired properties notification',
  method: 'direct method request',
  c2d: 'cloud-to-device delivery',
};

/**
 * Step-through: the hub holds what it would send to the chosen devices (desired notifications, method requests, C2D
 * deliveries) and the trainer releases them one at a time. Keys: N releases the next, A releases all.
 */
export function StepThroughPanel() {
  const api = useApi();
  const devices = useStore(useStudio().devices);
  const [state, setState] = useState<StepperStateDto>();
  const [error, setError] = useState<string>();

  const apply = useCallback((result: Awaited<ReturnType<typeof api.stepper.state>>) => {
    if (result.ok) {
      setState(result.value);
      setError(undefined);
    } else setError(describeError(result.error));
  }, []);
  useEffect(() => {
    let live = true;
    const poll = async () => {
      const result = await api.stepper.state({});
      if (live) apply(result);
    };
    void poll();
    const timer = setInterval(() => void poll(), 500);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, apply]);

  const configure = async (enabled: boolean, deviceIds: readonly string[] | null) => {
    // Shown at once (a controlled checkbox must follow the click); the hub's answer then confirms it.
    setState((previous) => ({ held: previous?.held ?? [], enabled, deviceIds }));
    apply(await api.stepper.configure({ enabled, deviceIds: deviceIds === null ? null : [...deviceIds] }));
  };
  const releaseNext = async () => apply(await api.stepper.release({}));
  const releaseAll = async () => apply(await api.stepper.releaseAll({}));

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const element = event.target as HTMLElement | null;
      if (!state?.enabled || event.altKey || event.ctrlKey || event.metaKey || (element && ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName))) return;
      if (event.key === 'n' || event.key === 'N') void releaseNext();
      else if (event.key === 'a' || event.key === 'A') void releaseAll();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const ids = [...devices.devices.keys()].sort();
  const chosen = state?.deviceIds ?? null;
  return (
    <div className="step-through">
      <div className="row wrap">
        <label className="checkbox"><input type="checkbox" aria-label="Hold messages to devices" checked={state?.enabled ?? false} onChange={(event) => void configure(event.target.checked, chosen)} /> Hold messages to devices</label>
        <label className="field narrow"><span>Which devices</span>
          <select aria-label="Which devices" value={chosen === null ? '*' : (chosen[0] ?? '*')} onChange={(event) => void configure(state?.enabled ?? false, event.target.value === '*' ? null : [event.target.value])}>
            <option value="*">All devices</option>
            {ids.map((id) => <option key={id} value={id}>{id}</option>)}
          </select>
        </label>
        <button type="button" className="button primary" disabled={!state?.held.length} onClick={() => void releaseNext()} title="N">Release next</button>
        <button type="button" className="button" disabled={!state?.held.length} onClick={() => void releaseAll()} title="A">Release all</button>
      </div>
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      {!state?.enabled ? (
        <EmptyState title="Step-through is off"><p>Turn it on to make the hub hold what it sends to a device — a desired property change, a direct method call, a cloud-to-device message — so the class can see the change wait in the hub, then arrive when you release it, and the device answer. A simulated device applies a held desired change only when you release it.</p></EmptyState>
      ) : state.held.length === 0 ? (
        <p className="muted" data-testid="held-empty">Nothing is waiting. Change a desired property, call a method or send a message to {chosen === null ? 'any device' : chosen.join(', ')}.</p>
      ) : (
        <ol className="held-list" data-testid="held-list">
          {state.held.map((message) => (
            <li key={message.id} className="held">
              <strong>{KIND_LABELS[message.kind]}</strong> to {message.deviceId}{message.moduleId ? `/${message.moduleId}` : ''}
              {message.version !== undefined ? <> — desired $version {message.version}</> : null}
              <span className="muted small"> held since {message.heldAt}</span>
              {message.kind !== 'c2d' ? <pre className="json-block small">{JSON.stringify(message.body)}</pre> : null}
              <button type="button" className="button small primary" onClick={() => void api.stepper.release({ id: message.id }).then(apply)}>{message.kind === 'desired' ? 'Release (apply)' : 'Release'} #{message.id}</button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
