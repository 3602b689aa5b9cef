import { useEffect, useState } from 'react';

import { StatusBadge } from './components/StatusBadge.js';
import { ViewHelp } from './components/ViewHelp.js';
import { ConfigurationsView } from './features/configurations/ConfigurationsView.js';
import { DevicesView } from './features/devices/DevicesView.js';
import { EndpointView } from './features/endpoint/EndpointView.js';
import { FaultsView } from './features/faults/FaultsView.js';
import { VIEW_HELP } from './features/help/view-help-texts.js';
import { JobsView } from './features/jobs/JobsView.js';
import { ProvisioningView } from './features/provisioning/ProvisioningView.js';
import { QueryConsole } from './features/query-console/QueryConsole.js';
import { SettingsPanel } from './features/settings/SettingsPanel.js';
import { TeachView } from './features/teach/TeachView.js';
import { TrafficView } from './features/traffic/TrafficView.js';
import { useStore } from './state/store.js';
import { useStudio } from './state/studio-context.js';
import { useTheme } from './state/theme.js';

type View = 'devices' | 'traffic' | 'endpoint' | 'query' | 'jobs' | 'configurations' | 'provisioning' | 'settings' | 'teach' | 'faults';

const VIEWS: readonly { id: View; label: string }[] = [
  { id: 'devices', label: 'Devices' },
  { id: 'traffic', label: 'Traffic' },
  { id: 'endpoint', label: 'Event Hub' },
  { id: 'query', label: 'Query' },
  { id: 'jobs', label: 'Jobs' },
  { id: 'configurations', label: 'Configurations' },
  { id: 'provisioning', label: 'Provisioning' },
  { id: 'settings', label: 'Settings' },
  { id: 'teach', label: 'Teach' },
  { id: 'faults', label: 'Faults' },
];

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName));
}

/** The shell: navigation (Alt+1…9, Alt+0 for the tenth view), hub status, theme, and the current view. */
export function App() {
  const studio = useStudio();
  const status = useStore(studio.status);
  const connectionError = useStore(studio.connectionError);
  const [view, setView] = useState<View>('devices');
  const [deviceId, setDeviceId] = useState<string>();
  const [theme, setTheme] = useTheme();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const index = event.altKey && !event.ctrlKey && !event.metaKey && /^[0-9]$/.test(event.key) ? (Number(event.key) + 9) % 10 : -1;
      const target = VIEWS[index];
      if (target) {
        event.preventDefault();
        setView(target.id);
        // Keyboard users land in the view they asked for, not on whatever had focus before.
        setTimeout(() => document.getElementById('main-content')?.focus(), 0);
      } else if (event.key === '/' && !isTyping(event.target)) {
        event.preventDefault();
        setView('devices');
        setTimeout(() => document.getElementById('device-search')?.focus(), 0);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const unreachable = connectionError !== undefined;
  const tone = unreachable ? 'bad' : status?.status === 'Running' ? 'good' : status?.error ? 'bad' : 'warn';
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Twin Studio</h1>
        <nav aria-label="Views">
          {VIEWS.map((item, i) => (
            <button key={item.id} type="button" className={`nav ${view === item.id ? 'active' : ''}`} aria-current={view === item.id ? 'page' : undefined} onClick={() => setView(item.id)} title={`Alt+${(i + 1) % 10}`}>
              {item.label}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        <span data-testid="hub-status">
          <StatusBadge tone={tone} title={status?.error ?? status?.info?.caCertPath}>{unreachable ? 'Host unreachable' : `Hub ${status?.status ?? '…'}`}</StatusBadge>
        </span>
        {status?.info ? <span className="muted small">mqtts://{status.info.hostName}:{status.info.ports.mqtts}</span> : null}
        <button type="button" className="button small" aria-label="Toggle dark theme" onClick={() => setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' || (theme === 'system' && document.documentElement.dataset.theme === 'dark') ? '☀' : '☾'}
        </button>
      </header>
      {connectionError ? (
        <p className="banner" role="alert">
          {connectionError.code === 'Unauthorized'
            ? 'This page’s access token is not valid for the running studio. Open the address printed by npm start again.'
            : `The studio host does not answer (${connectionError.message}). Is it still running? The studio reconnects by itself when it is back.`}
        </p>
      ) : null}
      {status?.error && status.status !== 'Running' ? (
        <p className="banner" role="alert">The hub could not start: {status.error}. Change its ports or data folder in Settings.</p>
      ) : null}
      <main className="content" id="main-content" tabIndex={-1} aria-label={VIEWS.find((item) => item.id === view)?.label}>
        {/* Teach explains each of its panels itself. */}
        {view === 'teach' ? null : <ViewHelp>{VIEW_HELP[view]}</ViewHelp>}
        {view === 'devices' ? <DevicesView selectedId={deviceId} onSelect={setDeviceId} /> : null}
        {view === 'traffic' ? <TrafficView /> : null}
        {view === 'query' ? <QueryConsole /> : null}
        {view === 'endpoint' ? <EndpointView /> : null}
        {view === 'jobs' ? <JobsView /> : null}
        {view === 'configurations' ? <ConfigurationsView /> : null}
        {view === 'settings' ? <SettingsPanel theme={theme} onTheme={setTheme} /> : null}
        {view === 'provisioning' ? <ProvisioningView /> : null}
        {view === 'teach' ? <TeachView deviceId={deviceId} /> : null}
        {view === 'faults' ? <FaultsView /> : null}
      </main>
    </div>
  );
}
