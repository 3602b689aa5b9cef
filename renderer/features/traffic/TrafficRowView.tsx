import { memo } from 'react';

import { TRANSPORT_LABELS, transportOf, type TrafficRow } from './traffic-buffer.js';
import { decodeTopic, payloadPreview } from './traffic-decode.js';

/** The DOM id of a traffic row (for `aria-activedescendant`). */
export function trafficRowId(key: number): string {
  return `traffic-row-${key}`;
}

/** One (memoised) line of the traffic list: request, and its response when paired. */
export const TrafficRowView = memo(function TrafficRowView({
  row,
  top,
  height,
  expanded,
  active = false,
  onToggle,
}: {
  row: TrafficRow;
  top: number;
  height: number;
  expanded: boolean;
  /** The row the arrow keys are on (the list is one tab stop; `aria-activedescendant` points here). */
  active?: boolean;
  onToggle: () => void;
}) {
  const { request, response } = row;
  const status = response?.status ?? request.status;
  return (
    <div
      role="listitem"
      id={trafficRowId(row.key)}
      className={`traffic-row ${expanded ? 'expanded' : ''} ${active ? 'active' : ''} ${status !== undefined && status >= 400 ? 'failed' : ''}`}
      style={{ top, height }}
      onClick={onToggle}
      data-kind={request.kind}
      data-paired={response ? 'true' : 'false'}
    >
      <span className="muted">{request.time.slice(11, 23)}</span>
      <span title={request.direction === 'in' ? 'device → hub' : 'hub → device'}>{request.direction === 'in' ? '→ hub' : '← hub'}</span>
      <span className="muted" data-protocol={transportOf(request)}>{TRANSPORT_LABELS[transportOf(request)]}</span>
      <span className="ellipsis">{request.deviceId ?? '—'}</span>
      <span>{request.kind}</span>
      <span className="ellipsis mono" title={response ? `${request.topic}\n⇄ ${response.topic}` : request.topic}>
        {decodeTopic(request)}
        {response ? <span className="muted"> ⇄ {decodeTopic(response)}</span> : null}
      </span>
      <span className="ellipsis mono muted" data-testid="payload-preview">{payloadPreview(request.payload || response?.payload || '')}</span>
      <span>{status ?? ''}{row.latencyMs !== undefined ? <span className="muted"> {row.latencyMs} ms</span> : null}</span>
      <span className="muted">{request.payloadBytes}</span>
    </div>
  );
});
