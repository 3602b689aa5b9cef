import { useState } from 'react';

import { EmptyState } from '../../components/EmptyState.js';
import { DeviceGrid } from '../device-grid/DeviceGrid.js';
import { DeviceDetailsView } from './DeviceDetailsView.js';
import { DeviceList } from './DeviceList.js';

type Layout = 'list' | 'grid';
const LAYOUT_KEY = 'twin-studio.devices.layout';

function readLayout(): Layout {
  return window.localStorage.getItem(LAYOUT_KEY) === 'grid' ? 'grid' : 'list';
}

/** The devices page: list on the left and the selected device on the right, or the whole fleet as a grid. */
export function DevicesView({ selectedId, onSelect }: { selectedId: string | undefined; onSelect: (deviceId: string | undefined) => void }) {
  const [layout, setLayoutState] = useState<Layout>(readLayout);
  const setLayout = (next: Layout) => {
    setLayoutState(next);
    window.localStorage.setItem(LAYOUT_KEY, next);
  };
  const switcher = (
    <div className="layout-switch" role="group" aria-label="Devices layout">
      <button type="button" className={`button small ${layout === 'list' ? 'active' : ''}`} aria-pressed={layout === 'list'} onClick={() => setLayout('list')}>List</button>
      <button type="button" className={`button small ${layout === 'grid' ? 'active' : ''}`} aria-pressed={layout === 'grid'} onClick={() => setLayout('grid')}>Grid</button>
    </div>
  );
  if (layout === 'grid') {
    return (
      <div className="devices-page">
        {switcher}
        <DeviceGrid onOpen={(deviceId) => { onSelect(deviceId); setLayout('list'); }} />
      </div>
    );
  }
  return (
    <div className="devices-page">
      {switcher}
      <div className="split">
        <DeviceList selectedId={selectedId} onSelect={onSelect} />
        <div className="split-main">
          {selectedId ? (
            <DeviceDetailsView key={selectedId} deviceId={selectedId} onDeleted={() => onSelect(undefined)} />
          ) : (
            <EmptyState title="Select a device">
              <p>Every device has a <strong>twin</strong> with three parts:</p>
              <ul>
                <li><strong>Tags</strong>: back-end-only labels (location, customer). Devices never see them; queries filter on them.</li>
                <li><strong>Desired properties</strong>: what the back end wants the device to do. A connected device is sent every change.</li>
                <li><strong>Reported properties</strong>: what the device says about itself. Only the device writes them.</li>
              </ul>
            </EmptyState>
          )}
        </div>
      </div>
    </div>
  );
}
