// Turns an IoT Hub connection string into the built-in endpoint's Event Hubs connection string, the way Microsoft's
// @azure/event-hubs sample "iothubConnectionString" does it against IoT Hub: log in to the hub's AMQP port with SASL
// PLAIN as <policy>@sas.root.<hub>, attach a receiver to messages/events/$management, and read the
// amqp:link:redirect the hub answers with. Run:
//   NODE_EXTRA_CA_CERTS=<data folder>/certs/ca.pem IOTHUB_CONNECTION_STRING='HostName=…' node iothub-connection-string.mjs
// AMQP_PORT is the hub's AMQP port (default 5671, IoT Hub's; the sample has it fixed).
import { createHmac } from 'node:crypto';

import { Connection, ReceiverEvents, isAmqpError, parseConnectionString } from 'rhea-promise';

const { HostName, SharedAccessKeyName, SharedAccessKey } = parseConnectionString(process.env.IOTHUB_CONNECTION_STRING);
const hubName = HostName.split('.')[0];

// A 5-minute SAS token for <host>/messages/events, signed with the policy key (IoT Hub style: the decoded key).
const resource = encodeURIComponent(`${HostName}/messages/events`);
const expiry = Math.ceil(Date.now() / 1000) + 300;
const signature = createHmac('sha256', Buffer.from(SharedAccessKey, 'base64')).update(`${resource}\n${expiry}`).digest('base64');
const token = `SharedAccessSignature sr=${resource}&sig=${encodeURIComponent(signature)}&se=${expiry}&skn=${SharedAccessKeyName}`;

const connection = new Connection({
  transport: 'tls',
  host: HostName,
  hostname: HostName,
  port: Number(process.env.AMQP_PORT ?? 5671),
  username: `${SharedAccessKeyName}@sas.root.${hubName}`,
  password: token,
  reconnect: false,
});
await connection.open();
const receiver = await connection.createReceiver({ source: { address: `amqps://${HostName}/messages/events/$management` } });

const eventHubsConnectionString = await new Promise((resolve, reject) => {
  receiver.on(ReceiverEvents.receiverError, (context) => {
    const error = context.receiver?.error;
    const entity = isAmqpError(error) && error.condition === 'amqp:link:redirect' ? /:\d+\/(.*)\/\$management/i.exec(error.info?.address ?? '')?.[1] : undefined;
    if (entity && error.info.hostname) {
      resolve(`Endpoint=sb://${error.info.hostname}/;EntityPath=${entity};SharedAccessKeyName=${SharedAccessKeyName};SharedAccessKey=${SharedAccessKey}`);
    } else {
      reject(error);
    }
  });
});
await connection.close();
console.log(eventHubsConnectionString);
