import { connect } from 'node:tls';

import type { ChildRequest } from '../support/child-rest.js';
import type { Prng } from '../support/prng.js';
import { alive, count, FuzzViolation, type FuzzStats, type FuzzTarget } from './fuzz-target.js';
import { restCall } from './rest-fuzz.js';
import { serviceTokenFor } from '../../helpers/service-token.js';

// Phase 4: random service REST calls written byte for byte on a TLS socket (an HTTP client library would refuse
// odd paths and header values before they reach the hub). A call that reaches the hub's REST layer must be answered
// in the hub's format (iothub-protocol.md §8.4: `iothub-errorcode` header, `{"Message":"ErrorCode:…"}` body) and
// never with 500, which the hub reserves for its own bugs (house-style H9). Requests Node's HTTP parser rejects
// itself (malformed request line or header) get a bare 400/413/431 and are counted apart.

interface RawReply {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: string;
}

function render(call: ChildRequest, host: string): Buffer {
  const body = call.body === undefined ? Buffer.alloc(0) : Buffer.from(call.body);
  const lines = [`${call.method} ${call.path} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  if (call.authorization !== null && call.authorization !== undefined) lines.push(`Authorization: ${call.authorization}`);
  for (const [name, value] of Object.entries(call.headers ?? {})) lines.push(`${name}: ${value}`);
  if (call.body !== undefined) lines.push('Content-Type: application/json; charset=utf-8', `Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), body]);
}

function parse(raw: Buffer): RawReply | undefined {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
  if (end < 0 || !status) return undefined;
  const headers = new Map<string, string>();
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(status[1]), headers, body: text.slice(end + 4) };
}

function send(target: FuzzTarget, bytes: Buffer): Promise<RawReply | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: target.hub.info.ports.https ?? 0, ca: target.ca, servername: 'localhost' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks)));
    });
    socket.once('secureConnect', () => socket.end(bytes));
  });
}

/** What a request must get back; throws a FuzzViolation otherwise. Returns the outcome bucket for the stats. */
function check(rng: Prng, call: ChildRequest, reply: RawReply | undefined): string {
  if (!reply) return 'no-reply';
  if (reply.status === 500) throw new FuzzViolation(rng.seed, `500 for ${call.method} ${call.path.slice(0, 200)}: ${reply.body.slice(0, 300)}`);
  if (reply.status < 400) return String(reply.status);
  const code = reply.headers.get('iothub-errorcode');
  if (code === undefined) {
    if ([400, 413, 431].includes(reply.status) && !reply.body.startsWith('{')) return `http-parser-${reply.status}`;
    throw new FuzzViolation(rng.seed, `${reply.status} without the hub's error format for ${call.method} ${call.path.slice(0, 200)}: ${reply.body.slice(0, 300)}`);
  }
  if (call.method !== 'HEAD') {
    const message = (JSON.parse(reply.body) as { Message?: unknown }).Message;
    const ok = typeof message === 'string' && (message.startsWith(`ErrorCode:${code};`) || message.startsWith('{"errorCode":'));
    if (!ok) throw new FuzzViolation(rng.seed, `error body not in the hub's format: ${reply.body.slice(0, 300)}`);
  }
  return `${reply.status}-${code}`;
}

export async function restPhase(target: FuzzTarget, rng: Prng, calls: number, stats: FuzzStats): Promise<void> {
  const { info } = target.hub;
  const token = serviceTokenFor(info.serviceConnectionString, info.hostName);
  // Generate sequentially (the PRNG sequence is the replay key), send four at a time.
  const batch = 4;
  for (let i = 0; i < calls; i += batch) {
    const requests = Array.from({ length: Math.min(batch, calls - i) }, () => restCall(rng, token, target.protectedIds));
    const replies = await Promise.all(requests.map((call) => send(target, render(call, info.hostName))));
    requests.forEach((call, index) => count(stats, 'rest', check(rng, call, replies[index])));
    if (!alive(target)) throw new FuzzViolation(rng.seed, 'the hub died during the REST phase');
  }
}
