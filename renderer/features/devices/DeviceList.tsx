import { useMemo, useRef, useState, type KeyboardEvent } from 'react';

import type { DeviceSummary } from '../../../main/contract/index.js';

import { EmptyState } from '../../components/EmptyState.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { relativeTime } from '../../components/time.js';
import { useNow } from '../../hooks/use-now.js';
import { useRowVirtualizer } from '../../hooks/use-row-virtualizer.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { filterDevices, type DeviceFilter } from './device-filter.js';
import { RegisterDevice } from './RegisterDevice.js';

/** Fixed row height of the virtualised list (px). */
const ROW_HEIGHT = 58;

/** A DOM id for a device's option (ids may hold characters an id selector would not take; the id is only referenced). */
function optionId(deviceId: string): string {
  return `device-option-${encodeURIComponent(deviceId)}`;
}

/** The device list: live connection state, last activity, status; search, filter, register; arrow keys move. */
export function DeviceList({ selectedId, onSelect }: { selectedId: string | undefined; onSelect: (deviceId: string) => void }) {
  const state = useStore(useStudio().devices);
  const now = useNow();
  const [filter, setFilter] = useState<DeviceFilter>({ text: '', state: 'all' });
  const [registering, setRegistering] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  const devices = useMemo(() => filterDevices(state.devices.values(), filter), [state.devices, filter]);
  const rows = useRowVirtualizer(list, devices.length, ROW_HEIGHT);

  const onKey = (event: KeyboardEvent) => {
    const index = devices.findIndex((device) => device.deviceId === selectedId);
    const next = event.key === 'ArrowDown' ? index + 1 : event.key === 'ArrowUp' ? index - 1 : -2;
    const device = devices[Math.max(0, Math.min(devices.length - 1, next))];
    if (next === -2 || !device) return;
    event.preventDefault();
    onSelect(device.deviceId);
    rows.scrollToIndex(devices.indexOf(device), { align: 'auto' });
  };

  const created = (deviceId: string) => {
    setRegistering(false);
    onSelect(deviceId);
  };

  return (
    <section className="device-list" aria-label="Devices">
      <div className="list-toolbar">
        <input
          type="search"
          id="device-search"
          placeholder="Search devices  ( / )"
          aria-label="Search devices"
          value={filter.text}
          onChange={(event) => setFilter({ ...filter, text: event.target.value })}
        />
        <select aria-label="Show devices" value={filter.state} onChange={(event) => setFilter({ ...filter, state: event.target.value as DeviceFilter['state'] })}>
          <option value="all">All</option>
          <option value="connected">Connected</option>
          <option value="disconnected">Disconnected</option>
          <option value="disabled">Disabled</option>
        </select>
        <button type="button" className="button primary" onClick={() => setRegistering(true)}>
          + Register
        </button>
      </div>
      {registering ? <RegisterDevice onCreated={created} onCancel={() => setRegistering(false)} /> : null}
      {state.status === 'ready' && state.devices.size === 0 && !registering ? (
        <EmptyState title="No devices yet" action={<button type="button" className="button primary" onClick={() => setRegistering(true)}>Register your first device</button>}>
          <p>
            A device needs an identity in the hub before it can connect. Register one, copy its connection string, and
            point the Azure IoT device SDK (or any MQTT client) at this hub.
          </p>
          <p>Each device gets a <strong>twin</strong>: a JSON document the back end and the device share.</p>
        </EmptyState>
      ) : null}
      <ul ref={list} className="rows virtual" role="listbox" aria-label="Registered devices" aria-activedescendant={selectedId ? optionId(selectedId) : undefined} tabIndex={0} onKeyDown={onKey}>
        <li role="presentation" style={{ height: rows.getTotalSize(), position: 'relative', listStyle: 'none' }}>
          <ul role="presentation" className="rows-window">
            {rows.getVirtualItems().map((item) => {
              const device = devices[item.index] as DeviceSummary;
              return (
                <li
                  key={device.deviceId}
                  id={optionId(device.deviceId)}
                  role="option"
                  aria-selected={device.deviceId === selectedId}
                  aria-setsize={devices.length}
                  aria-posinset={item.index + 1}
                  data-device-id={device.deviceId}
                  className={`device-row ${device.deviceId === selectedId ? 'selected' : ''}`}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  onClick={() => onSelect(device.deviceId)}
                >
                  <span className={`dot ${device.connectionState === 'Connected' ? 'on' : 'off'}`} aria-hidden="true" />
                  <span className="device-id">{device.deviceId}</span>
                  <span className="device-meta">
                    <StatusBadge tone={device.connectionState === 'Connected' ? 'good' : 'neutral'}>{device.connectionState}</StatusBadge>
                    {device.status === 'disabled' ? <StatusBadge tone="bad">disabled</StatusBadge> : null}
                    {device.simulated ? <StatusBadge tone="warn">simulated</StatusBadge> : null}
                    <span className="muted small" title={device.lastActivityTime}>{relativeTime(device.lastActivityTime, now)}</span>
                  </span>
                </li>
              );
            })}
          </ul>
        </li>
      </ul>
      {state.status === 'ready' && state.devices.size > 0 && devices.length === 0 ? <p className="muted pad">No device matches the filter.</p> : null}
    </section>
  );
}
