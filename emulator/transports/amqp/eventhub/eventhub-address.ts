/** A partition receiver address: `<entity>/ConsumerGroups/<group>/Partitions/<id>` (iothub-protocol-2.md §5.5). */
export interface PartitionAddress {
  readonly entity: string;
  readonly consumerGroup: string;
  readonly partition: string;
}

const PARTITION = /^(?:amqps?:\/\/[^/]+\/)?([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)\/?$/i;

/** The parts of a partition address, or undefined for any other address. */
export function parsePartitionAddress(address: unknown): PartitionAddress | undefined {
  if (typeof address !== 'string') return undefined;
  const match = PARTITION.exec(address);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { entity: decode(match[1]), consumerGroup: decode(match[2]), partition: decode(match[3]) };
}

/** The management node (`$management`, also written `<entity>/$management`). */
export function isManagementAddress(address: unknown): boolean {
  return typeof address === 'string' && /^(?:[^/]+\/)?\$management$/i.test(address);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
