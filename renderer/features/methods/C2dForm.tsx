import { useState } from 'react';

import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';

/** `key=value` lines → application properties. */
export function parseProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf('=');
    if (at <= 0) continue;
    properties[trimmed.slice(0, at).trim()] = trimmed.slice(at + 1).trim();
  }
  return properties;
}

/** Sends a cloud-to-device message with optional application properties. */
export function C2dForm({ deviceId }: { deviceId: string }) {
  const api = useApi();
  const [body, setBody] = useState('{"command":"blink"}');
  const [properties, setProperties] = useState('');
  const [outcome, setOutcome] = useState<string>();
  const send = async () => {
    const parsed = parseProperties(properties);
    const result = await api.c2d.send({ deviceId, body, ...(Object.keys(parsed).length > 0 ? { properties: parsed } : {}) });
    setOutcome(result.ok ? `Queued as message ${result.value.messageId}.` : describeError(result.error));
  };
  return (
    <section aria-label="Cloud-to-device message">
      <h3>Cloud-to-device message</h3>
      <label className="field"><span>Body</span><textarea rows={4} value={body} onChange={(event) => setBody(event.target.value)} /></label>
      <label className="field"><span>Properties (key=value per line)</span><textarea rows={2} value={properties} onChange={(event) => setProperties(event.target.value)} /></label>
      <button type="button" className="button primary" onClick={() => void send()}>Send</button>
      {outcome ? <p role="status">{outcome}</p> : null}
    </section>
  );
}
