import { readFile } from 'node:fs/promises';
import { request } from 'node:https';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import type { HubEmulator } from '../../emulator/index.js';

/** A raw REST reply. */
export interface RestReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Header names exactly as the server wrote them (to check `x-ms-continuation` is lower case). */
  readonly rawHeaderNames: string[];
  readonly text: string;
  json<T = unknown>(): T;
}

/** Options of {@link rest}. */
export interface RestCall {
  readonly method: string;
  readonly path: string;
  /** Object → JSON; string/Buffer sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Authorization header; default: a fresh iothubowner token. `null` sends none. */
  readonly authorization?: string | null;
}

/** A service SAS token for `policyName` (`sr=<host>`, as azure-iothub signs it). */
export function policyToken(hub: HubEmulator, policyName: string, options: { key?: string; expiresAtSeconds?: number; resource?: string } = {}): string {
  const policy = hub.policies().find((candidate) => candidate.keyName === policyName);
  if (!policy) throw new Error(`no policy ${policyName}`);
  return createSasToken({
    resourceUri: options.resource ?? hub.info.hostName,
    base64Key: options.key ?? policy.primaryKey,
    policyName,
    expiresAtSeconds: options.expiresAtSeconds ?? Math.floor(Date.now() / 1000) + 3600,
  });
}

const caCache = new Map<string, string>();

/** One HTTPS call to the hub's REST API over a real socket, trusting the hub CA (any port, no 443 needed). */
export async function rest(hub: HubEmulator, call: RestCall): Promise<RestReply> {
  const caPath = hub.info.caCertPath;
  const ca = caCache.get(caPath) ?? (await readFile(caPath, 'utf8'));
  caCache.set(caPath, ca);
  const body =
    call.body === undefined ? undefined : typeof call.body === 'string' || Buffer.isBuffer(call.body) ? call.body : JSON.stringify(call.body);
  const authorization = call.authorization === undefined ? policyToken(hub, 'iothubowner') : call.authorization;
  const separator = call.path.includes('?') ? '&' : '?';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        // A hub on a loopback address of its own (loopback-hub.ts) listens there, not on 127.0.0.1.
        host: /^127\.\d+\.\d+\.\d+$/.test(hub.info.hostName) ? hub.info.hostName : '127.0.0.1',
        servername: 'localhost',
        port: hub.info.ports.https ?? 0,
        method: call.method,
        path: `${call.path}${separator}api-version=2021-04-12`,
        ca,
        headers: {
          host: hub.info.hostName,
          ...(authorization === null ? {} : { authorization }),
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }),
          ...call.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const rawHeaderNames = res.rawHeaders.filter((_, index) => index % 2 === 0);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaderNames, text, json: <T>() => JSON.parse(text) as T });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
