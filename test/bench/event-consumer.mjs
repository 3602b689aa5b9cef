// Benchmark 9's consumer: the unmodified @azure/event-hubs EventHubConsumerClient reading the hub's built-in endpoint
// from the latest event, in its own process (it trusts the hub's CA only through NODE_EXTRA_CA_CERTS). Prints
// `ready` once every partition receiver is up, then, after `durationMs`, one JSON line: the receive latency of each
// event (now - the send time in its body, ms) and the count.
//   node event-consumer.mjs '<connection string>' <durationMs>
import { EventHubConsumerClient, latestEventPosition } from '@azure/event-hubs';

const [connectionString, durationText] = process.argv.slice(2);
const client = new EventHubConsumerClient('$Default', connectionString);
const partitions = (await client.getPartitionIds()).length;
const latencies = [];
let initialised = 0;
const subscription = client.subscribe(
  {
    processInitialize: async () => {
      initialised += 1;
      if (initialised === partitions) process.stdout.write('ready\n');
    },
    processEvents: async (events) => {
      const now = Date.now();
      for (const event of events) if (typeof event.body?.t === 'number') latencies.push(now - event.body.t);
    },
    processError: async (error) => process.stderr.write(`${error.message}\n`),
  },
  { startPosition: latestEventPosition, maxBatchSize: 500, maxWaitTimeInSeconds: 1 },
);
await new Promise((resolve) => setTimeout(resolve, Number(durationText)));
await subscription.close();
await client.close();
process.stdout.write(`${JSON.stringify({ count: latencies.length, latencies })}\n`);
