import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

import type { EmulatorInfo } from '../../../emulator/index.js';
import { serviceTokenFor } from '../../helpers/service-token.js';

/** A REST reply as bytes on the wire became text. */
export interface ChildReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One request; `authorization: null` sends none, undefined sends a fresh iothubowner token. */
export interface ChildRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly authorization?: string | null;
}

/**
 * The REST API of a hub running in another process (HubProcess), over real HTTPS with the hub CA. Unlike
 * test/helpers/rest-client.ts it needs no HubEmulator object, and it sends bodies and paths byte for byte, which is
 * what the crash and fuzz tests want.
 */
export function childRest(info: Pick<EmulatorInfo, 'ports' | 'caCertPath' | 'hostName' | 'serviceConnectionString'>): (call: ChildRequest) => Promise<ChildReply> {
  const token = serviceTokenFor(info.serviceConnectionString, info.hostName);
  const agent = new Agent({ keepAlive: true, ca: readFileSync(info.caCertPath, 'utf8'), servername: 'localhost' });
  return (call) =>
    new Promise((resolve, reject) => {
      const authorization = call.authorization === undefined ? token : call.authorization;
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port: info.ports.https ?? 0,
          method: call.method,
          path: call.path,
          headers: {
            host: info.hostName,
            ...(authorization === null ? {} : { authorization }),
            ...(call.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
            ...call.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(call.body);
    });
}
