import { readFileSync } from 'node:fs';
import { request } from 'node:https';

import { createSasToken, parseConnectionString } from '../../emulator/index.js';
import type { StudioProcess } from './browser-mode.js';

/**
 * The IoT Hub REST API of a browser-mode studio's hub, as a service app calls it: SAS token of the service policy,
 * the hub's CA, its HTTPS port (start the studio with `--https-port 0`). For tests that need many devices fast.
 */
export class StudioRest {
  private readonly ca: string;
  private readonly port: number;
  private readonly token: string;

  constructor(studio: StudioProcess) {
    const info = studio.hub.info;
    if (!info?.ports.https) throw new Error('start the studio with --https-port 0 for REST');
    this.ca = readFileSync(info.caCertPath, 'utf8');
    this.port = info.ports.https;
    const cs = parseConnectionString(info.serviceConnectionString);
    this.token = createSasToken({
      resourceUri: String(cs.HostName),
      base64Key: String(cs.SharedAccessKey),
      policyName: String(cs.SharedAccessKeyName),
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
    });
  }

  /** One REST call; resolves with the status and the parsed body. */
  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1', port: this.port, method, path: `${path}${path.includes('?') ? '&' : '?'}api-version=2021-04-12`, ca: this.ca, servername: 'localhost',
          headers: { authorization: this.token, 'content-type': 'application/json', ...(data ? { 'content-length': String(data.length) } : {}), ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Registers devices through the bulk path (`POST /devices`, 100 per call), with tags when given. */
  async addDevices(ids: readonly string[], tagsOf?: (id: string, index: number) => Record<string, unknown>): Promise<void> {
    for (let start = 0; start < ids.length; start += 100) {
      const chunk = ids.slice(start, start + 100).map((id, i) => ({
        id, importMode: 'create', status: 'enabled', authentication: { type: 'sas' }, ...(tagsOf ? { tags: tagsOf(id, start + i) } : {}),
      }));
      const result = await this.call('POST', '/devices', chunk);
      if (result.status !== 200) throw new Error(`bulk create: ${result.status} ${JSON.stringify(result.body)}`);
    }
  }

  /** A service twin PATCH (`If-Match: *`). */
  async patchTwin(deviceId: string, patch: unknown): Promise<void> {
    const result = await this.call('PATCH', `/twins/${encodeURIComponent(deviceId)}`, patch, { 'if-match': '*' });
    if (result.status !== 200) throw new Error(`twin patch: ${result.status} ${JSON.stringify(result.body)}`);
  }
}
