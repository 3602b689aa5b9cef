import https from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * An `https.Agent` that dials `port` whatever port the client asked for. MqttWs, AmqpWs and Http hard-code 443
 * (sdk-notes.md §7); the SDKs' documented agent options (`mqtt.webSocketAgent`, `amqp.webSocketAgent`,
 * `http.agent`) take this so the same code paths reach a hub on an ephemeral port without root.
 */
export function portForcingAgent(port: number, options: https.AgentOptions = {}): https.Agent {
  return new (class extends https.Agent {
    override createConnection(connectOptions: Parameters<https.Agent['createConnection']>[0], callback?: Parameters<https.Agent['createConnection']>[1]): Duplex {
      return super.createConnection({ ...connectOptions, port }, callback) as Duplex;
    }
  })(options);
}
