import { useCallback, useEffect, useState } from 'react';

import type { EndpointEventDto, EventEndpointDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CopyButton } from '../../components/CopyButton.js';
import { RoutingEditor } from './RoutingEditor.js';

/** How often the view asks for the endpoint's state while it is open. */
const REFRESH_MS = 1000;

/**
 * The built-in Event Hub-compatible endpoint as a consumer sees it (iothub-protocol-2.md §5-6): its connection string,
 * each partition's sequence numbers and event count, the routes with their endpoints and hit counters, the other
 * endpoints, a routing editor, and the newest events with
 * decoded bodies, properties and the hub's annotations.
 */
export function EndpointView() {
  const api = useApi();
  const [endpoint, setEndpoint] = useState<EventEndpointDto>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string>();
  const refresh = useCallback(async () => {
    const result = await api.traffic.endpoint({});
    if (result.ok) {
      setEndpoint(result.value);
      setError(undefined);
    } else setError(describeError(result.error));
  }, [api]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  if (error) return <p className="field-error pad" role="alert">{error}</p>;
  if (!endpoint) return <p className="muted pad">Loading the built-in endpoint…</p>;
  return (
    <div className="pad" aria-label="Event Hub-compatible endpoint">
      <h2>Built-in endpoint <code>{endpoint.name}</code></h2>
      <p className="muted small">
        Read it with @azure/event-hubs (trust the hub&apos;s CA with NODE_EXTRA_CA_CERTS):{' '}
        <code className="secret">{endpoint.connectionString || 'AMQP is off'}</code>
        {endpoint.connectionString ? <CopyButton text={endpoint.connectionString} what="Event Hub-compatible connection string" /> : null}
      </p>
      <table className="grid" aria-label="Partitions">
        <thead><tr><th>Partition</th><th>Events kept</th><th>Sequence numbers</th><th>Last event</th></tr></thead>
        <tbody>
          {endpoint.partitions.map((partition) => (
            <tr key={partition.id} data-testid={`partition-${partition.id}`}>
              <td>{partition.id}</td>
              <td>{partition.count}</td>
              <td>{partition.count === 0 ? '—' : `${partition.beginSequenceNumber} … ${partition.lastSequenceNumber}`}</td>
              <td>{partition.lastEnqueuedTime ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Routes</h3>
      <table className="grid" aria-label="Routes">
        <thead><tr><th>Route</th><th>Source</th><th>Condition</th><th>Endpoint</th><th>Delivered</th></tr></thead>
        <tbody>
          {endpoint.routes.map((route) => (
            <tr key={route.name} data-testid={`route-${route.name}`} className={route.enabled ? undefined : 'muted'}>
              <td>{route.name}</td><td>{route.source}</td><td><code>{route.condition}</code></td><td>{route.endpoint}</td><td>{route.hits}</td>
            </tr>
          ))}
          <tr data-testid="route-$fallback" className={endpoint.fallbackEnabled ? undefined : 'muted'}>
            <td>$fallback{endpoint.fallbackEnabled ? '' : ' (off)'}</td><td>DeviceMessages</td><td><code>no other route matched</code></td><td>events</td><td>{endpoint.fallbackHits}</td>
          </tr>
        </tbody>
      </table>
      {endpoint.endpoints.length > 0 ? (
        <table className="grid" aria-label="Endpoints">
          <thead><tr><th>Endpoint</th><th>Kind</th><th>Where</th><th>Counters</th></tr></thead>
          <tbody>
            {endpoint.endpoints.map((entry) => (
              <tr key={entry.name} data-testid={`endpoint-${entry.name}`}>
                <td>{entry.name}</td><td>{ENDPOINT_KINDS[entry.kind]}</td>
                <td>
                  <code>{entry.address}</code>
                  {entry.connectionString ? <CopyButton text={entry.connectionString} what={`connection string of ${entry.address}`} /> : null}
                </td>
                <td>{Object.entries(entry.stats).map(([name, count]) => `${name} ${count}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <RoutingEditor routing={endpoint.routing} onSaved={setEndpoint} />
      <h3>Newest events</h3>
      {endpoint.recent.length === 0 ? <p className="muted">No events yet: device telemetry and routed hub events appear here.</p> : null}
      <ul className="event-list" aria-label="Newest events">
        {endpoint.recent.map((event) => (
          <EventRow key={`${event.partition}:${event.sequenceNumber}`} event={event} open={open === key(event)} onToggle={() => setOpen(open === key(event) ? undefined : key(event))} />
        ))}
      </ul>
    </div>
  );
}

/** How the view names each endpoint kind. */
const ENDPOINT_KINDS: Readonly<Record<EventEndpointDto['endpoints'][number]['kind'], string>> = {
  eventHub: 'Event Hubs entity (read with EntityPath=<where>)',
  storageContainer: 'file sink (<data dir>/endpoints/files/<where>)',
  webhook: 'webhook (HTTP POST)',
};

function key(event: EndpointEventDto): string {
  return `${event.partition}:${event.sequenceNumber}`;
}

function EventRow({ event, open, onToggle }: { event: EndpointEventDto; open: boolean; onToggle: () => void }) {
  return (
    <li data-testid="endpoint-event">
      <button type="button" className="link" aria-expanded={open} onClick={onToggle}>
        <span className="muted small">{event.enqueuedTime} · p{event.partition} #{event.sequenceNumber}</span>{' '}
        <strong>{event.deviceId ?? '—'}{event.moduleId ? `/${event.moduleId}` : ''}</strong> <span className="badge">{event.source}</span>{' '}
        <code>{event.body.length > 120 ? `${event.body.slice(0, 120)}…` : event.body}</code>
      </button>
      {open ? (
        <pre className="small" data-testid="endpoint-event-details">{JSON.stringify({ body: event.body, properties: event.properties, annotations: event.annotations, offset: event.offset }, null, 2)}</pre>
      ) : null}
    </li>
  );
}
