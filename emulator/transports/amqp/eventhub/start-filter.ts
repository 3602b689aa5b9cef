import type { HubEvent } from '../../../model/hub-event.js';

/** Where a receiver starts (iothub-protocol-2.md §5.5): after or at an offset, a sequence number or an enqueue time. */
export type StartPosition =
  | { readonly by: 'offset'; readonly value: string; readonly inclusive: boolean }
  | { readonly by: 'sequence'; readonly value: number; readonly inclusive: boolean }
  | { readonly by: 'time'; readonly value: number; readonly inclusive: boolean };

const SELECTOR_KEY = 'apache.org:selector-filter:string';
const EXPRESSION = /^\s*amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$/i;

/** The start position a link's source filter asks for; earliest without a filter. An unreadable filter is an error. */
export function startPositionOf(filter: unknown): { ok: true; position: StartPosition } | { ok: false; reason: string } {
  const expression = selectorOf(filter);
  if (expression === undefined) return { ok: true, position: { by: 'offset', value: '-1', inclusive: false } };
  const match = EXPRESSION.exec(expression);
  if (!match?.[1] || !match[2] || match[3] === undefined) return { ok: false, reason: `The selector filter '${expression}' is not supported.` };
  const inclusive = match[2] === '>=';
  const raw = match[3];
  switch (match[1].toLowerCase()) {
    case 'x-opt-offset':
      if (raw !== '@latest' && !/^-?\d+$/.test(raw)) return { ok: false, reason: `The offset '${raw}' is not valid.` };
      return { ok: true, position: { by: 'offset', value: raw, inclusive } };
    case 'x-opt-sequence-number':
      if (!/^-?\d+$/.test(raw)) return { ok: false, reason: `The sequence number '${raw}' is not valid.` };
      return { ok: true, position: { by: 'sequence', value: Number(raw), inclusive } };
    default:
      if (!/^-?\d+$/.test(raw)) return { ok: false, reason: `The enqueued time '${raw}' is not valid.` };
      return { ok: true, position: { by: 'time', value: Number(raw), inclusive } };
  }
}

/**
 * The sequence number of the first event to deliver for a position over a partition that holds `events` and will
 * give the next event `nextSequence`; an error for a position past the end (IoT Hub's ArgumentOutOfRange).
 */
export function firstSequenceFor(position: StartPosition, events: readonly HubEvent[], nextSequence: number): { ok: true; sequence: number } | { ok: false; reason: string } {
  const last = nextSequence - 1;
  if (position.by === 'sequence') {
    const first = position.inclusive ? position.value : position.value + 1;
    if (first > nextSequence) return { ok: false, reason: `The supplied sequence number '${position.value}' is invalid. The last sequence number in the system is '${last}'.` };
    return { ok: true, sequence: Math.max(first, events[0]?.sequenceNumber ?? nextSequence) };
  }
  if (position.by === 'offset') {
    if (position.value === '@latest') return { ok: true, sequence: nextSequence };
    const offset = Number(position.value);
    const lastOffset = Number(events.at(-1)?.offset ?? -1);
    if (offset > lastOffset && offset !== -1 && events.length > 0) return { ok: false, reason: `The supplied offset '${position.value}' is invalid. The last offset in the system is '${lastOffset}'.` };
    const found = events.find((event) => (position.inclusive ? Number(event.offset) >= offset : Number(event.offset) > offset));
    return { ok: true, sequence: found?.sequenceNumber ?? nextSequence };
  }
  const found = events.find((event) => (position.inclusive ? event.enqueuedTime >= position.value : event.enqueuedTime > position.value));
  return { ok: true, sequence: found?.sequenceNumber ?? nextSequence };
}

function selectorOf(filter: unknown): string | undefined {
  if (typeof filter !== 'object' || filter === null) return undefined;
  if (!Object.prototype.hasOwnProperty.call(filter, SELECTOR_KEY)) return undefined;
  return textOf((filter as Record<string, unknown>)[SELECTOR_KEY]);
}

/** The string inside a described/typed AMQP value, however rhea decoded it. */
function textOf(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value;
  if (depth > 3 || typeof value !== 'object' || value === null) return undefined;
  return textOf((value as { value?: unknown }).value, depth + 1);
}
