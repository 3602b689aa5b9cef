import { argumentInvalid, consumerGroupNotFound } from '../errors/catalogue.js';
import type { ConsumerGroupRecord } from '../model/consumer-group.js';
import { getOwn } from '../util/own-keys.js';
import type { Clock } from '../util/clock.js';
import type { HubData } from './hub-data.js';

/** The consumer group every hub has; it cannot be created or deleted. */
export const DEFAULT_CONSUMER_GROUP = '$Default';
/** Consumer groups a standard IoT Hub allows on its built-in endpoint (besides `$Default`: 20 in all). */
export const MAX_CONSUMER_GROUPS = 19;
/** True for `$Default` in any case (consumer group names match case-insensitively). */
export function isDefaultConsumerGroup(name: string): boolean {
  return name.toLowerCase() === DEFAULT_CONSUMER_GROUP.toLowerCase();
}

/** `$Default`, which exists from the hub's creation. */
const DEFAULT_RECORD: ConsumerGroupRecord = { name: DEFAULT_CONSUMER_GROUP, created: new Date(0).toISOString() };

/** Event Hubs' rule for consumer group names: letters, digits, `.`, `_`, `-`, at most 50, starting alphanumeric. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

/**
 * Consumer groups of the built-in Event Hub-compatible endpoint (iothub-protocol-2.md §5.1), as Resource Manager's
 * `…/eventHubEndpoints/events/ConsumerGroups/{name}` manages them. Each create or delete is a change record, so they
 * survive a restart; writes run one at a time against the committed list. Readers of the endpoint attach with any of
 * them; a consumer group keeps no cursor on the hub (Event Hubs clients keep their own checkpoints).
 */
export class ConsumerGroupService {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly data: HubData,
    private readonly clock: Clock,
  ) {}

  /** `$Default` and the created ones, oldest first. */
  list(): ConsumerGroupRecord[] {
    const created = Object.values(this.data.committed.consumerGroups).sort((a, b) => a.created.localeCompare(b.created));
    return [DEFAULT_RECORD, ...created];
  }

  /** True when a consumer group of this name exists (case-insensitive). */
  exists(name: string): boolean {
    return isDefaultConsumerGroup(name) || getOwn(this.data.committed.consumerGroups, name.toLowerCase()) !== undefined;
  }

  get(name: string): ConsumerGroupRecord {
    if (isDefaultConsumerGroup(name)) return DEFAULT_RECORD;
    const record = getOwn(this.data.committed.consumerGroups, name.toLowerCase());
    if (!record) throw consumerGroupNotFound(name);
    return record;
  }

  /** Creates the group (an existing one is answered as it is, as Resource Manager's PUT is idempotent). */
  create(name: string): Promise<ConsumerGroupRecord> {
    return this.serial(async () => {
      if (!NAME.test(name)) throw argumentInvalid(`The consumer group name '${name}' is not valid: use up to 50 letters, digits, '.', '_' or '-', starting with a letter or digit.`);
      const existing = this.exists(name) ? this.get(name) : undefined;
      if (existing) return existing;
      if (Object.keys(this.data.committed.consumerGroups).length >= MAX_CONSUMER_GROUPS) {
        throw argumentInvalid(`The built-in endpoint has ${MAX_CONSUMER_GROUPS + 1} consumer groups, the most IoT Hub allows.`);
      }
      const record: ConsumerGroupRecord = { name, created: this.clock.now().toISOString() };
      await this.data.write([{ kind: 'consumerGroupPut', record }], []);
      return record;
    });
  }

  delete(name: string): Promise<void> {
    return this.serial(async () => {
      if (isDefaultConsumerGroup(name)) throw argumentInvalid(`The consumer group '${DEFAULT_CONSUMER_GROUP}' cannot be deleted.`);
      this.get(name);
      await this.data.write([{ kind: 'consumerGroupDeleted', name }], []);
    });
  }

  /** One write at a time: each validates against the list the previous one made durable. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
