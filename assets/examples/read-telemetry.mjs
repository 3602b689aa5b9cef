// Reads device-to-cloud messages from the hub's built-in Event Hub-compatible endpoint with @azure/event-hubs, as a
// back end reads them from IoT Hub. Run:
//   NODE_EXTRA_CA_CERTS=<data folder>/certs/ca.pem EVENTHUB_CONNECTION_STRING='Endpoint=sb://…' node read-telemetry.mjs
import { EventHubConsumerClient, earliestEventPosition } from '@azure/event-hubs';

const client = new EventHubConsumerClient('$Default', process.env.EVENTHUB_CONNECTION_STRING);
const subscription = client.subscribe(
  {
    processEvents: async (events) => {
      for (const event of events) {
        console.log(`${event.systemProperties['iothub-connection-device-id']}: ${JSON.stringify(event.body)}`, event.properties);
      }
    },
    processError: async (error) => console.error(error.message),
  },
  { startPosition: earliestEventPosition },
);

// Read for a while, then stop (READ_SECONDS, default 30).
await new Promise((resolve) => setTimeout(resolve, Number(process.env.READ_SECONDS ?? 30) * 1000));
await subscription.close();
await client.close();
