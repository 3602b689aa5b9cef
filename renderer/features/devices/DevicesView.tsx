import { EmptyState } from '../../components/EmptyState.js';
import { DeviceDetailsView } from './DeviceDetailsView.js';
import { DeviceList } from './DeviceList.js';

/** The devices page: list on the left, the selected device on the right. */
export function DevicesView({ selectedId, onSelect }: { selectedId: string | undefined; onSelect: (deviceId: string | undefined) => void }) {
  return (
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
  );
}
