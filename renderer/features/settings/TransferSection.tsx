import { useRef, useState } from 'react';

import type { HubExport } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';

/** Export the registry and twins to a JSON file, and import such a file. */
export function TransferSection({ onMessage }: { onMessage: (message: string) => void }) {
  const api = useApi();
  const file = useRef<HTMLInputElement>(null);
  const [overwrite, setOverwrite] = useState(false);
  const [includeReported, setIncludeReported] = useState(true);

  const exportHub = async () => {
    const result = await api.emulator.export({ includeReported });
    if (!result.ok) return onMessage(describeError(result.error));
    const blob = new Blob([JSON.stringify(result.value, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'twin-studio-hub.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    onMessage(`Exported ${result.value.devices.length} devices.`);
  };
  const importHub = async (chosen: File | undefined) => {
    if (!chosen) return;
    let data: unknown;
    try {
      data = JSON.parse(await chosen.text());
    } catch {
      return onMessage(`${chosen.name} is not a JSON file.`);
    }
    // The host validates the document against the export schema and answers InvalidPayload otherwise.
    const result = await api.emulator.import({ data: data as HubExport, overwrite });
    if (!result.ok) return onMessage(describeError(result.error));
    const { created, updated, failed } = result.value;
    onMessage(`Imported: ${created} created, ${updated} updated, ${failed.length} failed${failed.length ? ` (${failed.map((f) => `${f.deviceId}: ${f.message}`).join('; ')})` : ''}.`);
    if (file.current) file.current.value = '';
  };

  return (
    <section aria-label="Export and import">
      <h3>Export and import</h3>
      <p className="muted">Identities (with keys), tags and desired properties as JSON. Reported properties are exported for reference but never imported: only a device writes them.</p>
      <div className="row wrap">
        <label className="checkbox"><input type="checkbox" checked={includeReported} onChange={(e) => setIncludeReported(e.target.checked)} /> include reported</label>
        <button type="button" className="button" onClick={() => void exportHub()}>Export JSON</button>
        <label className="checkbox"><input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> overwrite existing devices</label>
        <label className="button">Import JSON…<input ref={file} type="file" accept="application/json,.json" className="visually-hidden" onChange={(e) => void importHub(e.target.files?.[0])} /></label>
      </div>
    </section>
  );
}
