import { useRef, useState } from 'react';

import type { Pushes } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { usePush } from '../../hooks/use-push.js';
import { parseProperties, utf8Bytes } from './c2d-properties.js';

/** IoT Hub's C2D body limit, in bytes (iothub-protocol.md §10). */
const MAX_BODY_BYTES = 64 * 1024;

const OUTCOMES: Record<Pushes['c2d.settled']['outcome'], string> = {
  Success: 'completed by the device',
  Rejected: 'rejected by the device',
  Expired: 'expired before the device took it',
  DeliveryCountExceeded: 'dead-lettered (delivered too often without completion)',
  Purged: 'purged from the queue',
};

/** Sends a cloud-to-device message with optional application properties, and follows it until the device settles it. */
export function C2dForm({ deviceId }: { deviceId: string }) {
  const api = useApi();
  const [body, setBody] = useState('{"command":"blink"}');
  const [properties, setProperties] = useState('');
  const [outcome, setOutcome] = useState<string>();
  const [sent, setSent] = useState<string>();
  const parsed = parseProperties(properties);
  const bytes = utf8Bytes(body);
  const tooBig = bytes > MAX_BODY_BYTES;

  // A fast device settles before the send's answer arrives: remember this device's recent outcomes.
  const settledIds = useRef(new Map<string, Pushes['c2d.settled']['outcome']>());
  usePush('c2d.settled', (settled) => {
    if (settled.deviceId !== deviceId) return;
    settledIds.current.set(settled.messageId, settled.outcome);
    if (settledIds.current.size > 100) settledIds.current.delete(settledIds.current.keys().next().value as string);
    if (settled.messageId === sent) setOutcome(`Message ${settled.messageId} ${OUTCOMES[settled.outcome]}.`);
  });

  const send = async () => {
    if (!parsed.ok || tooBig) return;
    const result = await api.c2d.send({ deviceId, body, ...(Object.keys(parsed.properties).length > 0 ? { properties: parsed.properties } : {}) });
    if (!result.ok) return setOutcome(describeError(result.error));
    const { messageId } = result.value;
    setSent(messageId);
    const already = settledIds.current.get(messageId);
    setOutcome(already ? `Message ${messageId} ${OUTCOMES[already]}.` : `Queued as message ${messageId}; waiting for the device to complete it.`);
  };
  return (
    <section aria-label="Cloud-to-device message">
      <h3>Cloud-to-device message</h3>
      <label className="field"><span>Body</span><textarea rows={4} value={body} onChange={(event) => setBody(event.target.value)} /></label>
      <p className={tooBig ? 'field-error' : 'muted small'} data-testid="c2d-size">
        {bytes.toLocaleString('en')} of {MAX_BODY_BYTES.toLocaleString('en')} bytes (UTF-8){tooBig ? ': too big, the hub refuses messages over 64 KB' : ''}
      </p>
      <label className="field"><span>Properties (key=value per line)</span><textarea rows={2} value={properties} onChange={(event) => setProperties(event.target.value)} /></label>
      {!parsed.ok ? (
        <ul className="field-error" data-testid="c2d-property-errors">
          {parsed.errors.map((error) => <li key={error.line}>Line {error.line} <code>{error.text}</code> {error.reason}.</li>)}
        </ul>
      ) : null}
      <button type="button" className="button primary" disabled={!parsed.ok || tooBig} onClick={() => void send()}>Send</button>
      {outcome ? <p role="status" data-testid="c2d-outcome">{outcome}</p> : null}
    </section>
  );
}
