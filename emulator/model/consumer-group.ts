/** A consumer group of the built-in endpoint (`…/eventHubEndpoints/events/ConsumerGroups/{name}`, iothub-protocol-2.md §5). */
export interface ConsumerGroupRecord {
  /** The name as created (matched case-insensitively). */
  readonly name: string;
  /** ISO time of creation. */
  readonly created: string;
}
