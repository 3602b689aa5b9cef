import iothub from 'azure-iothub';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client.js';

import { portForcingAgent } from './port-agent.js';

/**
 * The real `azure-iothub` Registry and Client (REST: twins, methods) against a hub whose HTTPS port is not 443: the
 * SDK's own RestApiClient with its documented `http.agent` option set to an agent that dials `port` and trusts `ca`.
 * Several hubs on one machine (a cluster) cannot all have 443.
 */
export function serviceClientsOnPort(connectionString: string, port: number, ca: string): { registry: iothub.Registry; client: iothub.Client } {
  const parsed = iothub.ConnectionString.parse(connectionString);
  const host = parsed.HostName ?? '';
  const config = {
    host,
    keyName: parsed.SharedAccessKeyName,
    sharedAccessSignature: iothub.SharedAccessSignature.create(host, parsed.SharedAccessKeyName ?? '', parsed.SharedAccessKey ?? '', Math.floor(Date.now() / 1000) + 3600).toString(),
  };
  const agent = portForcingAgent(port, { ca, keepAlive: true });
  const registryRest = new RestApiClient(config, 'twin-studio-tests');
  const clientRest = new RestApiClient(config, 'twin-studio-tests');
  // Registry and Client set their own keep-alive agent in their constructors; ours is set after them.
  const client = new iothub.Client(new iothub.Amqp(config), clientRest);
  const registry = new iothub.Registry(config, registryRest);
  for (const rest of [registryRest, clientRest]) rest.setOptions({ http: { agent } });
  return { registry, client };
}
