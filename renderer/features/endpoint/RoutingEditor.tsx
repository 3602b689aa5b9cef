import { useState } from 'react';

import type { EventEndpointDto } from '../../../main/contract/index.js';
import type { JsonObject } from '../../../emulator/model/json.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';

/**
 * Edits the hub's routing as Resource Manager's `properties.routing` object (routes, fallbackRoute, endpoints with
 * eventHubs / storageContainers / webhooks, enrichments): the hub checks it exactly as an `@azure/arm-iothub` update
 * (a bad condition is refused with its route and position) and keeps the routing in force until a change is accepted.
 */
export function RoutingEditor({ routing, onSaved }: { routing: JsonObject; onSaved: (endpoint: EventEndpointDto) => void }) {
  const api = useApi();
  const [text, setText] = useState<string>();
  const [message, setMessage] = useState<string>();
  if (text === undefined) {
    return (
      <button type="button" className="button" onClick={() => setText(JSON.stringify(routing, null, 2))}>Edit routing</button>
    );
  }
  const save = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      setMessage(`The routing is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setMessage('The routing must be a JSON object.');
      return;
    }
    const response = await api.traffic.setRouting({ routing: parsed as JsonObject });
    if (!response.ok) {
      setMessage(describeError(response.error));
      return;
    }
    setMessage(undefined);
    setText(undefined);
    onSaved(response.value);
  };
  return (
    <section aria-label="Routing editor">
      <label className="field">
        <span>Routing (Resource Manager&apos;s properties.routing: routes, fallbackRoute, endpoints, enrichments)</span>
        <textarea rows={16} value={text} spellCheck={false} onChange={(event) => setText(event.target.value)} />
      </label>
      <div className="row">
        <button type="button" className="button primary" onClick={() => void save()}>Apply routing</button>
        <button type="button" className="button" onClick={() => { setText(undefined); setMessage(undefined); }}>Cancel</button>
      </div>
      {message ? <p className="field-error" role="alert">{message}</p> : null}
    </section>
  );
}
