import rhea, { type Connection, type EventContext, type Message, type Sender } from 'rhea';

import type { HubEvent } from '../../../model/hub-event.js';
import { isDefaultConsumerGroup, type ConsumerGroupService } from '../../../services/consumer-group-service.js';
import type { EventHubService } from '../../../services/event-hub-service.js';
import type { ServiceAuthenticator } from '../../../services/service-authenticator.js';
import type { TrafficTap } from '../../tap.js';
import type { PartitionAddress } from './eventhub-address.js';
import { eventMessage } from './event-message.js';
import { firstSequenceFor, startPositionOf } from './start-filter.js';


interface Reader {
  readonly sender: Sender;
  readonly hub: EventHubService;
  readonly partition: number;
  /** The sequence number of the next event to send. */
  next: number;
}

type AmqpError = { condition: string; description: string };

/**
 * The read side of the built-in Event Hub-compatible endpoint (iothub-protocol-2.md §5.4-5.5) on the hub's AMQP
 * listener: partition receivers (`<entity>/ConsumerGroups/<group>/Partitions/<id>`) that start where their selector
 * filter says and get every durable event after it as credit allows (reading never removes an event), and the
 * `$management` node's READ requests for the hub and its partitions.
 */
export class EventHubEndpoint {
  private readonly readers = new Set<Reader>();
  private readonly bySender = new WeakMap<Sender, Reader>();
  private readonly managementReplies = new WeakMap<Connection, Sender[]>();
  /** Append subscriptions of the extra entities readers attached to. */
  private readonly extraSubscriptions = new Map<EventHubService, () => void>();
  private readonly dispose: () => void;

  constructor(
    private readonly hub: EventHubService,
    private readonly authenticator: Pick<ServiceAuthenticator, 'authenticate'>,
    private readonly tap: TrafficTap,
    private readonly requestHostOf: (connection: Connection) => string | undefined,
    /** The consumer groups that exist; only `$Default` without it. */
    private readonly consumerGroups?: Pick<ConsumerGroupService, 'exists'>,
    /** Extra Event Hubs entities routing endpoints serve (by entity path); they have only `$Default`. */
    private readonly extraEntity: (entity: string) => EventHubService | undefined = () => undefined,
  ) {
    this.dispose = hub.onAppended((events) => this.delivered(hub, events));
  }

  /** The built-in endpoint or an extra entity, by entity path (case-insensitive). */
  private entity(name: string): EventHubService | undefined {
    return name.toLowerCase() === this.hub.info.name.toLowerCase() ? this.hub : this.extraEntity(name);
  }

  /** A consumer attached a partition receiver (our sender); `authorized` says whether its CBS token allows it. */
  openReader(sender: Sender, address: PartitionAddress, authorized: boolean): void {
    const hub = this.entity(address.entity);
    const refusal = this.refusal(hub, address, authorized);
    if (refusal || !hub) {
      sender.close(refusal);
      return;
    }
    if (hub !== this.hub && !this.extraSubscriptions.has(hub)) {
      const appended = hub.onAppended((events) => this.delivered(hub, events));
      const retired = hub.onRetired(() => this.retired(hub));
      this.extraSubscriptions.set(hub, () => {
        appended();
        retired();
      });
    }
    const partition = Number(address.partition);
    const start = startPositionOf(sender.source?.filter);
    if (!start.ok) {
      sender.close({ condition: 'com.microsoft:argument-error', description: start.reason });
      return;
    }
    const events = hub.events(partition);
    const state = hub.state(partition);
    const first = firstSequenceFor(start.position, events, state.lastSequenceNumber + 1);
    if (!first.ok) {
      sender.close({ condition: 'com.microsoft:argument-out-of-range', description: first.reason });
      return;
    }
    const reader: Reader = { sender, hub, partition, next: first.sequence };
    this.readers.add(reader);
    this.bySender.set(sender, reader);
    this.tap.record({ deviceId: undefined, direction: 'in', protocol: 'amqp', kind: 'other', topic: `attach ${address.entity}/ConsumerGroups/${address.consumerGroup}/Partitions/${partition}`, payload: `from sequence number ${first.sequence}` });
    this.pump(reader);
  }

  /** A partition receiver or its connection went away. */
  closeReader(sender: Sender): void {
    const reader = this.bySender.get(sender);
    if (!reader) return;
    this.readers.delete(reader);
    this.bySender.delete(sender);
  }

  /** True when the sender is a partition reader. */
  owns(sender: Sender | undefined): boolean {
    return sender !== undefined && this.bySender.has(sender);
  }

  /** A reader got credit. */
  onSendable(sender: Sender): void {
    const reader = this.bySender.get(sender);
    if (reader) this.pump(reader);
  }

  /** The consumer's `$management` receiver (our sender), where replies go. */
  openManagementReplies(connection: Connection, sender: Sender): void {
    const senders = this.managementReplies.get(connection) ?? [];
    senders.push(sender);
    this.managementReplies.set(connection, senders);
  }

  /** A request on `$management` (§5.4): READ of the hub or one partition; the reply goes to the request's `reply_to`. */
  onManagementRequest(context: EventContext): void {
    const { message, connection } = context;
    if (!message) return;
    context.delivery?.accept();
    const reply = this.managementReply(message, connection);
    const senders = this.managementReplies.get(connection) ?? [];
    const target = senders.find((sender) => sender.name === message.reply_to && sender.is_open()) ?? senders.find((sender) => sender.is_open());
    target?.send({ ...reply, correlation_id: message.message_id, to: message.reply_to });
  }

  close(): void {
    this.dispose();
    for (const dispose of this.extraSubscriptions.values()) dispose();
    this.extraSubscriptions.clear();
    this.readers.clear();
  }

  private managementReply(message: Message, connection: Connection): Message {
    const props = (message.application_properties ?? {}) as Record<string, unknown>;
    const token = typeof props.security_token === 'string' ? props.security_token : undefined;
    const auth = this.authenticator.authenticate(token, 'ServiceConnect', this.requestHostOf(connection));
    if (!auth.ok) return status(401, auth.error.message, 'com.microsoft:unauthorized-access');
    if (props.operation !== 'READ') return status(400, `Unsupported management operation '${String(props.operation)}'.`, 'com.microsoft:argument-error');
    const hub = typeof props.name === 'string' ? this.entity(props.name) : undefined;
    if (!hub) {
      return status(404, `The messaging entity '${String(props.name)}' could not be found.`, 'amqp:not-found');
    }
    if (props.type === 'com.microsoft:eventhub') {
      return { ...status(200, 'OK'), body: { name: hub.info.name, created_at: new Date(hub.info.createdAt), partition_ids: [...hub.info.partitionIds] } };
    }
    if (props.type === 'com.microsoft:partition') {
      const partition = Number(props.partition);
      if (!hub.info.partitionIds.includes(String(props.partition))) return status(404, `The partition '${String(props.partition)}' does not exist.`, 'amqp:not-found');
      const state = hub.state(partition);
      return {
        ...status(200, 'OK'),
        body: {
          name: hub.info.name,
          partition: String(partition),
          begin_sequence_number: rhea.types.wrap_long(state.beginSequenceNumber),
          last_enqueued_sequence_number: rhea.types.wrap_long(state.lastSequenceNumber),
          last_enqueued_offset: state.lastOffset,
          last_enqueued_time_utc: new Date(state.lastEnqueuedTime),
          is_partition_empty: state.empty,
        },
      };
    }
    return status(400, `Unsupported management type '${String(props.type)}'.`, 'com.microsoft:argument-error');
  }

  private refusal(hub: EventHubService | undefined, address: PartitionAddress, authorized: boolean): AmqpError | undefined {
    if (!authorized) return { condition: 'amqp:unauthorized-access', description: 'Put a token with ServiceConnect on $cbs before attaching a receiver.' };
    if (!hub) {
      return { condition: 'amqp:not-found', description: `The messaging entity '${address.entity}' could not be found.` };
    }
    const exists = this.consumerGroups && hub === this.hub ? this.consumerGroups.exists(address.consumerGroup) : isDefaultConsumerGroup(address.consumerGroup);
    if (!exists) {
      return { condition: 'amqp:not-found', description: `The consumer group '${address.consumerGroup}' does not exist on '${hub.info.name}'.` };
    }
    if (!hub.info.partitionIds.includes(address.partition)) {
      return { condition: 'com.microsoft:argument-out-of-range', description: `The partition '${address.partition}' does not exist; partitions are ${hub.info.partitionIds.join(', ')}.` };
    }
    return undefined;
  }

  /** A routing entity was removed: its readers are detached with `amqp:not-found`. */
  private retired(hub: EventHubService): void {
    this.extraSubscriptions.get(hub)?.();
    this.extraSubscriptions.delete(hub);
    for (const reader of [...this.readers]) {
      if (reader.hub !== hub) continue;
      this.readers.delete(reader);
      this.bySender.delete(reader.sender);
      if (reader.sender.is_open()) reader.sender.close({ condition: 'amqp:not-found', description: `The messaging entity '${hub.info.name}' was removed from the hub's routing.` });
      this.tap.record({ deviceId: undefined, direction: 'out', protocol: 'amqp', kind: 'other', topic: `detach ${hub.info.name}/Partitions/${reader.partition}`, payload: 'amqp:not-found: the entity was removed from the routing' });
    }
  }

  private delivered(hub: EventHubService, events: readonly HubEvent[]): void {
    const partitions = new Set(events.map((event) => event.partition));
    for (const reader of this.readers) if (reader.hub === hub && partitions.has(reader.partition)) this.pump(reader);
  }

  /** Sends the reader's next events while it has credit. */
  private pump(reader: Reader): void {
    const events = reader.hub.events(reader.partition);
    if (events.length === 0) return;
    const first = events[0] as HubEvent;
    // Events dropped by retention meanwhile are skipped, as on Event Hubs.
    let index = Math.max(0, reader.next - first.sequenceNumber);
    while (index < events.length && reader.sender.is_open() && reader.sender.sendable()) {
      const event = events[index] as HubEvent;
      reader.sender.send(eventMessage(event));
      reader.next = event.sequenceNumber + 1;
      index += 1;
    }
  }
}

function status(code: number, description: string, condition?: string): Message {
  const application: Record<string, unknown> = { 'status-code': code, 'status-description': description };
  if (condition !== undefined) application['error-condition'] = condition;
  return { application_properties: application, body: undefined };
}
