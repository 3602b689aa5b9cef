import { useState } from 'react';

import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Tabs } from '../../components/Tabs.js';
import { ViewHelp } from '../../components/ViewHelp.js';
import { DEVICE_TAB_HELP } from '../help/view-help-texts.js';
import { relativeTime } from '../../components/time.js';
import { useNow } from '../../hooks/use-now.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { MethodsPanel } from '../methods/MethodsPanel.js';
import { ModulesPanel } from '../modules/ModulesPanel.js';
import { PlugAndPlayPanel } from '../plug-and-play/PlugAndPlayPanel.js';
import { TelemetryPanel } from '../telemetry/TelemetryPanel.js';
import { lastDeviceProtocol, TRANSPORT_LABELS } from '../traffic/traffic-buffer.js';
import { TrafficView } from '../traffic/TrafficView.js';
import { TwinPanel } from '../twin-editor/TwinPanel.js';
import { ConnectPanel } from './ConnectPanel.js';
import { SimulationBar } from './SimulationBar.js';
import { useDeviceDetails } from './use-device-details.js';
import { useSimulation } from './use-simulation.js';

/** The newer of two ISO times (the details load once; the list follows traffic and pushes). */
function latestTime(a: string, b: string | undefined): string {
  return b !== undefined && b > a ? b : a;
}

type DeviceTab = 'twin' | 'modules' | 'connect' | 'methods' | 'pnp' | 'traffic' | 'telemetry';

const TABS = [
  { id: 'twin', label: 'Twin' },
  { id: 'modules', label: 'Modules' },
  { id: 'connect', label: 'Connect' },
  { id: 'methods', label: 'Methods & C2D' },
  { id: 'pnp', label: 'Plug and Play' },
  { id: 'traffic', label: 'Traffic' },
  { id: 'telemetry', label: 'Telemetry' },
] as const;

/** One device: status and actions on top, its twin, connection facts, methods and traffic below. */
export function DeviceDetailsView({ deviceId, onDeleted }: { deviceId: string; onDeleted: () => void }) {
  const api = useApi();
  const [state, reload] = useDeviceDetails(deviceId);
  const [simulation, setSimulation] = useSimulation(deviceId, state.status === 'ready' && state.data.simulated);
  const [tab, setTab] = useState<DeviceTab>('twin');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string>();
  const studio = useStudio();
  useStore(studio.trafficRevision);
  const listed = useStore(studio.devices).devices.get(deviceId);
  const now = useNow(1000);
  const lastProtocol = lastDeviceProtocol(studio.traffic.all(), deviceId);

  if (state.status === 'error') return <p className="field-error pad" role="alert">{describeError(state.error)}</p>;
  if (state.status !== 'ready') return <p className="muted pad">Loading {deviceId}…</p>;
  const device = state.data;

  const toggleStatus = async () => {
    const result = await api.devices.setStatus({ deviceId, status: device.status === 'enabled' ? 'disabled' : 'enabled' });
    if (!result.ok) setError(describeError(result.error));
    else void reload();
  };
  const remove = async () => {
    setConfirmDelete(false);
    const result = await api.devices.delete({ deviceId });
    if (result.ok) onDeleted();
    else setError(describeError(result.error));
  };

  return (
    <section className="device-details" aria-label={`Device ${deviceId}`}>
      <header className="details-header">
        <h2>{device.deviceId}</h2>
        <StatusBadge tone={device.connectionState === 'Connected' ? 'good' : 'neutral'}>{device.connectionState}</StatusBadge>
        <StatusBadge tone={device.status === 'enabled' ? 'good' : 'bad'}>{device.status}</StatusBadge>
        <span className="muted small" data-testid="last-activity" title={latestTime(device.lastActivityTime, listed?.lastActivityTime)}>
          last activity {relativeTime(latestTime(device.lastActivityTime, listed?.lastActivityTime), now)}
        </span>
        {device.connectedVia ? (
          <span className="muted small" data-testid="connected-via" title="The transport of the device's newest live connection, as the hub sees it">
            connected via {TRANSPORT_LABELS[device.connectedVia]}
          </span>
        ) : lastProtocol ? (
          <span className="muted small" data-testid="last-protocol" title="From the traffic the studio has seen">
            last via {TRANSPORT_LABELS[lastProtocol]}
          </span>
        ) : null}
        <span className="spacer" />
        <button type="button" className="button" onClick={() => void toggleStatus()}>
          {device.status === 'enabled' ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="button danger" onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </header>
      {simulation ? <SimulationBar simulation={simulation} onChange={setSimulation} /> : null}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      <Tabs items={TABS} value={tab} onChange={setTab} label="Device views" />
      <div className="tab-panel" role="tabpanel">
        <ViewHelp>{DEVICE_TAB_HELP[tab]}</ViewHelp>
        {tab === 'twin' ? <TwinPanel deviceId={deviceId} /> : null}
        {tab === 'modules' ? <ModulesPanel deviceId={deviceId} /> : null}
        {tab === 'connect' ? <ConnectPanel device={device} /> : null}
        {tab === 'methods' ? <MethodsPanel deviceId={deviceId} connected={device.connectionState === 'Connected'} /> : null}
        {tab === 'pnp' ? <PlugAndPlayPanel deviceId={deviceId} /> : null}
        {tab === 'traffic' ? <TrafficView fixedDeviceId={deviceId} /> : null}
        {tab === 'telemetry' ? <TelemetryPanel deviceId={deviceId} /> : null}
      </div>
      {confirmDelete ? (
        <ConfirmDialog title={`Delete ${deviceId}?`} confirmLabel="Delete device" danger onConfirm={() => void remove()} onCancel={() => setConfirmDelete(false)}>
          <p>The identity and its twin are deleted. A connected device is disconnected and can no longer authenticate.</p>
          {device.simulated ? <p>Its simulation is removed too.</p> : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
