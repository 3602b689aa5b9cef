import { useState } from 'react';

import type { SimulationDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { StatusBadge } from '../../components/StatusBadge.js';

const TONE: Record<SimulationDto['state'], 'good' | 'bad' | 'warn' | 'neutral'> = {
  running: 'good', connecting: 'warn', paused: 'warn', offline: 'warn', error: 'bad', stopped: 'neutral',
};

/** A simulated device's profile, state, counters and run controls. */
export function SimulationBar({ simulation, onChange }: { simulation: SimulationDto; onChange: (next: SimulationDto) => void }) {
  const api = useApi();
  const [error, setError] = useState<string>();
  const set = async (runState: SimulationDto['runState']) => {
    const result = await api.simulations.setRunState({ deviceId: simulation.deviceId, runState });
    if (result.ok) onChange(result.value);
    else setError(describeError(result.error));
  };
  const setApplyOnClick = async (on: boolean) => {
    const result = await api.simulations.setApplyOnClick({ deviceId: simulation.deviceId, on });
    if (result.ok) onChange(result.value);
    else setError(describeError(result.error));
  };
  const apply = async () => {
    const result = await api.simulations.applyDesired({ deviceId: simulation.deviceId });
    if (result.ok) onChange(result.value);
    else setError(describeError(result.error));
  };
  const { counters } = simulation;
  const held = simulation.applyOnClick?.held ?? [];
  return (
    <div className="simulation-bar" aria-label="Simulation" data-testid="simulation-bar">
      <strong>Simulated</strong> with profile <code>{simulation.profileName}</code>
      <StatusBadge tone={TONE[simulation.state]}>{simulation.state}</StatusBadge>
      <span className="muted small">
        {counters.reported} reported · {counters.telemetry} telemetry · {counters.desiredApplied} desired applied · {counters.methodsAnswered} methods · {counters.errors} errors
      </span>
      <span className="spacer" />
      <button type="button" className="button small" disabled={simulation.runState === 'running'} onClick={() => void set('running')}>Start</button>
      <button type="button" className="button small" disabled={simulation.runState !== 'running'} onClick={() => void set('paused')}>Pause</button>
      <button type="button" className="button small" disabled={simulation.runState === 'stopped'} onClick={() => void set('stopped')}>Stop</button>
      <div className="apply-on-click row wrap">
        <label className="checkbox" title="The device still receives desired changes, but applies and reports them only when you click Apply (step-through, in Teach, holds the hub's messages instead)">
          <input type="checkbox" checked={simulation.applyOnClick !== undefined} onChange={(event) => void setApplyOnClick(event.target.checked)} /> Apply desired changes on click
        </label>
        {simulation.applyOnClick ? (
          <button type="button" className="button small primary" disabled={held.length === 0} onClick={() => void apply()}>
            Apply {held.length} desired {held.length === 1 ? 'change' : 'changes'}
          </button>
        ) : null}
        {held.length > 0 ? (
          <ul className="held-desired" aria-label="Desired changes received, not applied yet">
            {held.map((change) => (
              <li key={change.property}>
                <code>{change.property}</code> = <code>{change.value}</code>
                {change.version === undefined ? null : <span className="muted small"> (desired $version {change.version})</span>}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {simulation.lastError || simulation.profileError ? <p className="field-error">{simulation.profileError ?? simulation.lastError}</p> : null}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}
