import { useEffect, useState } from 'react';

import { HUB_TIER_NAMES, type EmulatorStatusDto, type HubTierName, type SettingsDto, type StudioSettings } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import type { ThemeChoice } from '../../state/theme.js';
import { ClusterPanel } from '../cluster/ClusterPanel.js';
import { QuotaMeter } from './QuotaMeter.js';
import { TransferSection } from './TransferSection.js';

type Reach = NonNullable<StudioSettings['reach']>;

function portText(port: number | null): string {
  return port === null ? 'off' : String(port);
}

/** Units a tier allows (IoT Hub: F1 one, S3/B3 ten, the others 200). */
function maxUnits(tier: HubTierName): number {
  if (tier === 'F1') return 1;
  return tier === 'S3' || tier === 'B3' ? 10 : 200;
}

function parsePort(text: string, allowOff: boolean): number | null | undefined {
  if (allowOff && (text.trim() === '' || text.trim() === 'off')) return null;
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined;
}

/** Where the running hub listens and how to reach it as a service. */
function HubFacts({ status }: { status: EmulatorStatusDto | undefined }) {
  const info = status?.info;
  return (
    <section aria-label="Hub">
      <h3>Hub</h3>
      {info ? (
        <dl className="facts">
          <dt>Host name</dt><dd><code>{info.hostName}</code></dd>
          <dt>Listening</dt><dd>MQTT/TLS <code>{info.ports.mqtts}</code> · HTTPS <code>{portText(info.ports.https)}</code> · MQTT <code>{portText(info.ports.mqtt)}</code> · AMQP/TLS <code>{portText(info.ports.amqps)}</code></dd>
          <dt>Devices can connect to</dt><dd data-testid="hub-addresses"><code>{info.addresses.join(' · ')}</code></dd>
          <dt>CA certificate</dt><dd><code>{info.caCertPath}</code> <CopyButton text={info.caCertPath} what="CA certificate path" /></dd>
          <dt>Service connection string</dt><dd><code className="secret">{info.serviceConnectionString}</code> <CopyButton text={info.serviceConnectionString} what="service connection string" /></dd>
          {info.eventHub.connectionString ? (
            <>
              <dt>Event Hub-compatible endpoint</dt>
              <dd data-testid="event-hub-endpoint">
                <code className="secret">{info.eventHub.connectionString}</code> <CopyButton text={info.eventHub.connectionString} what="Event Hub-compatible connection string" />
                <span className="muted small"> {info.eventHub.partitions} partitions; read with @azure/event-hubs (trust the CA with NODE_EXTRA_CA_CERTS)</span>
              </dd>
            </>
          ) : null}
          {info.warnings.map((warning) => <dd key={warning} className="notice">{warning}</dd>)}
        </dl>
      ) : <p className="muted">The hub is {status?.status ?? 'starting'}{status?.error ? `: ${status.error}` : ''}.</p>}
    </section>
  );
}

/** Ports, data folder, theme, hub facts, reset, export/import. */
export function SettingsPanel({ theme, onTheme }: { theme: ThemeChoice; onTheme: (choice: ThemeChoice) => void }) {
  const api = useApi();
  const status = useStore(useStudio().status);
  const [loaded, setLoaded] = useState<SettingsDto>();
  const [form, setForm] = useState({ mqtts: '', https: '', mqtt: '', amqps: '', dataDir: '', persistence: 'file' as StudioSettings['persistence'], reach: 'network' as Reach, tier: 'off' as HubTierName | 'off', units: '1', lenient: false, historyLimit: '32' });
  const [message, setMessage] = useState<string>();
  const [confirm, setConfirm] = useState<'restart' | 'reset'>();

  useEffect(() => {
    void api.settings.get({}).then((result) => {
      if (!result.ok) return setMessage(describeError(result.error));
      setLoaded(result.value);
      const { ports, dataDir, persistence, reach, historyLimit, tier, lenient } = result.value.settings;
      setForm({ mqtts: portText(ports.mqtts), https: portText(ports.https), mqtt: portText(ports.mqtt), amqps: portText(ports.amqps), dataDir, persistence, reach: reach ?? 'network', tier: tier?.name ?? 'off', units: String(tier?.units ?? 1), lenient: lenient ?? false, historyLimit: String(historyLimit ?? 32) });
    });
  }, [api]);

  const ports = { mqtts: parsePort(form.mqtts, false), https: parsePort(form.https, true), mqtt: parsePort(form.mqtt, true), amqps: parsePort(form.amqps, true) };
  const historyLimit = /^\d{1,6}$/.test(form.historyLimit.trim()) && Number(form.historyLimit) <= 100_000 ? Number(form.historyLimit) : undefined;
  const units = Number(form.units);
  const unitsValid = form.tier === 'off' || (/^\d+$/.test(form.units) && units >= 1 && units <= maxUnits(form.tier));
  const valid = Object.values(ports).every((port) => port !== undefined) && form.dataDir.trim() !== '' && historyLimit !== undefined && unitsValid;
  const before = loaded?.settings;
  const apply = async () => {
    setConfirm(undefined);
    if (!valid) return;
    setMessage('Restarting the hub…');
    const settings: StudioSettings = {
      ports: { mqtts: ports.mqtts ?? 8883, https: ports.https ?? null, mqtt: ports.mqtt ?? null, amqps: ports.amqps ?? null },
      dataDir: form.dataDir.trim(),
      persistence: form.persistence,
      reach: form.reach,
      // The default (32) is not written unless it was set before: settings files stay as they were.
      ...(historyLimit === undefined || (historyLimit === 32 && loaded?.settings.historyLimit === undefined) ? {} : { historyLimit }),
      // Sent only when set now or before, so settings without tier emulation stay as they were.
      ...(form.tier !== 'off' ? { tier: { name: form.tier, units } } : before?.tier ? { tier: null } : {}),
      ...(form.lenient || before?.lenient ? { lenient: form.lenient } : {}),
    };
    const result = await api.settings.update({ settings });
    setMessage(result.ok ? 'Saved; the hub restarted with the new settings.' : describeError(result.error));
  };
  const reset = async () => {
    setConfirm(undefined);
    const result = await api.emulator.reset({ confirm: 'reset' });
    setMessage(result.ok ? `Hub reset: ${result.value.deleted} devices deleted.` : describeError(result.error));
  };
  return (
    <div className="settings">
      <section aria-label="Appearance">
        <h3>Appearance</h3>
        <label className="inline">Theme{' '}
          <select aria-label="Theme" value={theme} onChange={(event) => onTheme(event.target.value as ThemeChoice)}>
            <option value="system">System</option><option value="light">Light</option><option value="dark">Dark</option>
          </select>
        </label>
      </section>
      <HubFacts status={status} />
      <ClusterPanel />
      <section aria-label="Ports and data">
        <h3>Ports and data</h3>
        <div className="row wrap">
          <label className="field narrow"><span>MQTT/TLS port</span><input value={form.mqtts} onChange={(e) => setForm({ ...form, mqtts: e.target.value })} aria-invalid={ports.mqtts === undefined || undefined} /></label>
          <label className="field narrow"><span>HTTPS port (or off)</span><input value={form.https} onChange={(e) => setForm({ ...form, https: e.target.value })} aria-invalid={ports.https === undefined || undefined} /></label>
          <label className="field narrow"><span>Plain MQTT port (or off)</span><input value={form.mqtt} onChange={(e) => setForm({ ...form, mqtt: e.target.value })} aria-invalid={ports.mqtt === undefined || undefined} /></label>
          <label className="field narrow"><span>AMQP/TLS port (or off)</span><input value={form.amqps} onChange={(e) => setForm({ ...form, amqps: e.target.value })} aria-invalid={ports.amqps === undefined || undefined} /></label>
        </div>
        <label className="field"><span>Data folder</span><input value={form.dataDir} onChange={(e) => setForm({ ...form, dataDir: e.target.value })} /></label>
        <label className="field"><span>Accept devices from</span>
          <select aria-label="Accept devices from" value={form.reach} onChange={(e) => setForm({ ...form, reach: e.target.value as Reach })}>
            <option value="thisComputer">This computer only</option>
            <option value="network">My network (other machines can reach every port)</option>
          </select>
        </label>
        <label className="field narrow"><span>Twin history (versions kept per twin, 0 = off)</span><input value={form.historyLimit} onChange={(e) => setForm({ ...form, historyLimit: e.target.value })} aria-invalid={historyLimit === undefined || undefined} /></label>
        <label className="checkbox"><input type="checkbox" checked={form.persistence === 'memory'} onChange={(e) => setForm({ ...form, persistence: e.target.checked ? 'memory' : 'file' })} /> Keep everything in memory (forgotten when the hub stops)</label>
        <p className="muted small">{loaded?.settingsFile ? `Saved in ${loaded.settingsFile}.` : 'Started with command-line options: changes last until the studio exits.'} Port 0 picks any free port; 443 falls back to 8443 when it cannot be bound.</p>
        <button type="button" className="button primary" disabled={!valid} onClick={() => setConfirm('restart')}>Save and restart hub</button>
      </section>
      <section aria-label="Tier and mode">
        <h3>IoT Hub tier and mode</h3>
        <div className="row wrap">
          <label className="field narrow"><span>Emulate tier</span>
            <select aria-label="Emulate tier" value={form.tier} onChange={(e) => setForm({ ...form, tier: e.target.value as HubTierName | 'off' })}>
              <option value="off">Off (nothing throttled)</option>
              {HUB_TIER_NAMES.map((name) => <option key={name} value={name}>{name}</option>)}
            </select>
          </label>
          <label className="field narrow"><span>Units</span>
            <input aria-label="Units" value={form.units} disabled={form.tier === 'off'} onChange={(e) => setForm({ ...form, units: e.target.value })} aria-invalid={!unitsValid || undefined} />
          </label>
        </div>
        <label className="checkbox"><input type="checkbox" checked={form.lenient} onChange={(e) => setForm({ ...form, lenient: e.target.checked })} /> Lenient mode (accept larger messages and requests IoT Hub refuses; see the README)</label>
        <p className="muted small">A tier applies IoT Hub&apos;s per-unit throttles (429 ThrottlingException) and daily message quota (403002). Saved with the button above.</p>
        <QuotaMeter />
      </section>
      <TransferSection onMessage={setMessage} />
      <section aria-label="Danger zone">
        <h3>Reset</h3>
        <p className="muted">Deletes every device and its twin.</p>
        <button type="button" className="button danger" onClick={() => setConfirm('reset')}>Reset hub…</button>
      </section>
      {message ? <p role="status" className="notice">{message}</p> : null}
      {confirm === 'restart' ? (
        <ConfirmDialog title="Restart the hub?" confirmLabel="Save and restart" onConfirm={() => void apply()} onCancel={() => setConfirm(undefined)}>
          <p>Connected devices are disconnected and must reconnect (on the new ports, if you changed them).</p>
        </ConfirmDialog>
      ) : null}
      {confirm === 'reset' ? (
        <ConfirmDialog title="Reset the hub?" confirmLabel="Delete all devices" danger onConfirm={() => void reset()} onCancel={() => setConfirm(undefined)}>
          <p>Every device identity and twin is deleted. This cannot be undone — export first if you may need them.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
