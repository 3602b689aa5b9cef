import { Agent, request } from 'node:https';

import { createSasToken, parseConnectionString } from '../index.js';

/** A response from the hub's REST API. */
export interface RestResponse {
  readonly status: number;
  readonly body: unknown;
}

const API_VERSION = '2021-04-12';

/**
 * The few IoT Hub service REST calls the load generator needs against a hub in another process (iothub-protocol.md
 * §8): create/get a device identity and patch desired properties. Written against the protocol rather than with
 * `azure-iothub`, because that SDK can only dial port 443 and only trusts a CA from NODE_EXTRA_CA_CERTS set before
 * node starts (sdk-notes.md §4); this client takes a port and a CA.
 */
export class ServiceRestClient {
  private readonly hostName: string;
  private readonly policyName: string;
  private readonly key: string;
  private readonly agent: Agent;

  constructor(
    connectionString: string,
    ca: string,
    private readonly port: number,
    private readonly connectHost?: string,
  ) {
    const parts = parseConnectionString(connectionString);
    const { HostName, SharedAccessKeyName, SharedAccessKey } = parts;
    if (!HostName || !SharedAccessKeyName || !SharedAccessKey) {
      throw new Error('the service connection string needs HostName, SharedAccessKeyName and SharedAccessKey');
    }
    this.hostName = HostName;
    this.policyName = SharedAccessKeyName;
    this.key = SharedAccessKey;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
  }

  /** Host name from the connection string. */
  get hubHostName(): string {
    return this.hostName;
  }

  /** Creates the device if needed and returns its primary key. */
  async ensureDevice(deviceId: string): Promise<string> {
    const path = `/devices/${encodeURIComponent(deviceId)}`;
    let response = await this.call('PUT', path, { deviceId });
    if (response.status === 409) response = await this.call('GET', path);
    if (response.status !== 200) throw restError('create device', response);
    const key = (response.body as { authentication?: { symmetricKey?: { primaryKey?: unknown } } }).authentication?.symmetricKey?.primaryKey;
    if (typeof key !== 'string' || key === '') throw new Error(`device ${deviceId} has no symmetric key`);
    return key;
  }

  /** PATCH /twins/{id} with `If-Match: *`. */
  async patchDesired(deviceId: string, desired: object): Promise<void> {
    const response = await this.call('PATCH', `/twins/${encodeURIComponent(deviceId)}`, { properties: { desired } }, { 'If-Match': '"*"' });
    if (response.status !== 200) throw restError('patch desired', response);
  }

  /**
   * `POST /devices`: the bulk registry call (at most 100 items, e.g. `{ id, importMode: 'create' }`). Resolves with
   * the HTTP status (200, or 400 when an item failed) and the `{ isSuccessful, errors, warnings }` body.
   */
  async bulkModify(items: readonly object[]): Promise<RestResponse> {
    const response = await this.call('POST', '/devices', items);
    if (response.status !== 200 && response.status !== 400) throw restError('bulk registry call', response);
    return response;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * A request on a kept-alive socket can race the server closing that socket as idle ("socket hang up" /
   * ECONNRESET before any response). Node's documented remedy is to retry when `req.reusedSocket` is set; it is
   * done once, and only then, so real failures still surface.
   */
  private async call(method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<RestResponse> {
    try {
      return await this.send(method, path, body, headers);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      return this.send(method, path, body, headers);
    }
  }

  private send(method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<RestResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const token = createSasToken({
      resourceUri: this.hostName,
      base64Key: this.key,
      policyName: this.policyName,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
    });
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.connectHost ?? this.hostName,
          servername: this.hostName,
          port: this.port,
          method,
          path: `${path}?api-version=${API_VERSION}`,
          agent: this.agent,
          headers: {
            Authorization: token,
            ...(payload ? { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(payload.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              /* keep the text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up');
        reject(stale ? new StaleSocketError(error.message) : error);
      });
      req.end(payload);
    });
  }
}

class StaleSocketError extends Error {}

function restError(what: string, response: RestResponse): Error {
  const message = (response.body as { Message?: unknown } | undefined)?.Message;
  return new Error(`${what} failed with HTTP ${response.status}${typeof message === 'string' ? `: ${message}` : ''}`);
}
