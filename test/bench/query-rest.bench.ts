/**
 * Query over REST, the user path (issue: queries cost O(twins scanned), paging continues from a cursor).
 * For each fleet size a hub starts from a store populated through its own services (`BenchContext.seed`), then every query is read page
 * by page with `POST /devices/query` over HTTPS, exactly as azure-iothub pages. The baseline is a plain Node HTTPS
 * server with the hub's own certificate that answers the same requests with the same pages from a hand-written
 * loop over the same service-shape twins (its continuation is the array index), so the ratio is what the hub's
 * query path costs beyond filtering + serialising + TLS. Baseline and hub runs alternate so noise hits both.
 *
 *   npx tsx test/bench/query-rest.bench.ts [--twins 1000,10000,100000] [--runs 5]
 *
 * Goals: all pages ≤ 3× the baseline; first page of a selective query ≤ 10 ms at 100k twins.
 */
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ensureCertificates } from '../../emulator/certs/certificates.js';
import { createEmulator, type HubEmulator, type JsonObject } from '../../emulator/index.js';
import { serviceTokenFor } from '../helpers/service-token.js';
import { createBenchContext, type BenchContext } from './bench-context.js';
import { printTable, writeResult, type BenchRow } from './report.js';
import { median, ratio, round1 } from './stats.js';

const PAGE_SIZE = 100;
const FIRST_PAGE_GOAL_MS = 10;
const RATIO_GOAL = 3;

/** One query and the hand-written loop body that selects (and shapes) the same rows. */
interface Case {
  readonly name: string;
  readonly query: string;
  /** The row for `twin`, or undefined when the twin does not match. */
  readonly row: (twin: JsonObject) => JsonObject | undefined;
  readonly itemType: 'Twin' | 'Raw';
  /** Whether the first-page goal applies (selective queries). */
  readonly selective: boolean;
}

const section = (value: JsonObject | undefined, key: string): JsonObject | undefined => {
  const inner = value?.[key];
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? inner : undefined;
};
const isDevice = (twin: JsonObject): boolean => typeof twin['moduleId'] !== 'string';

// populate.ts: building b<i % 100> (1%), battery (i·37) % 100 (10% below 10), environment staging for i % 5 = 0 (20%).
const CASES: readonly Case[] = [
  {
    name: 'selective tag (1%)', query: "SELECT * FROM devices WHERE tags.location.building = 'b17'", itemType: 'Twin', selective: true,
    row: (t) => (isDevice(t) && section(section(t, 'tags'), 'location')?.['building'] === 'b17' ? t : undefined),
  },
  {
    name: 'reported property (10%)', query: 'SELECT * FROM devices WHERE properties.reported.battery < 10', itemType: 'Twin', selective: true,
    row: (t) => {
      const battery = section(section(t, 'properties'), 'reported')?.['battery'];
      return isDevice(t) && typeof battery === 'number' && battery < 10 ? t : undefined;
    },
  },
  {
    name: 'projection (20%)', query: "SELECT deviceId, tags.owner FROM devices WHERE tags.environment = 'staging'", itemType: 'Raw', selective: false,
    row: (t): JsonObject | undefined => {
      const tags = section(t, 'tags');
      if (!isDevice(t) || tags?.['environment'] !== 'staging') return undefined;
      const owner = tags['owner'];
      return owner === undefined ? { deviceId: t['deviceId'] ?? null } : { deviceId: t['deviceId'] ?? null, owner };
    },
  },
  { name: 'every twin', query: 'SELECT * FROM devices', itemType: 'Twin', selective: false, row: (t) => (isDevice(t) ? t : undefined) },
];

/** Where a paging client sends its requests. */
interface Endpoint {
  readonly port: number;
  readonly ca: string;
  readonly authorization: string;
  readonly agent: Agent;
}

interface PageReply {
  readonly items: number;
  readonly continuation: string | undefined;
}

/** One `POST /devices/query` page. */
function postQuery(endpoint: Endpoint, query: string, continuation: string | undefined): Promise<PageReply> {
  const body = JSON.stringify({ query });
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: endpoint.authorization,
    'x-ms-max-item-count': String(PAGE_SIZE), ...(continuation !== undefined && { 'x-ms-continuation': continuation }),
  };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', servername: 'localhost', port: endpoint.port, method: 'POST', path: '/devices/query?api-version=2021-04-12', ca: endpoint.ca, agent: endpoint.agent, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200) return reject(new Error(`query answered ${response.statusCode}: ${text.slice(0, 200)}`));
          const next = response.headers['x-ms-continuation'];
          resolve({ items: (JSON.parse(text) as unknown[]).length, continuation: typeof next === 'string' ? next : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads every page; returns the wall time of the first page and of all pages, and the page sizes. */
async function readAllPages(endpoint: Endpoint, query: string): Promise<{ firstMs: number; allMs: number; pages: number[] }> {
  const pages: number[] = [];
  const start = performance.now();
  let firstMs = 0;
  let continuation: string | undefined;
  do {
    const page = await postQuery(endpoint, query, continuation);
    if (pages.length === 0) firstMs = performance.now() - start;
    pages.push(page.items);
    continuation = page.continuation;
  } while (continuation !== undefined);
  return { firstMs, allMs: performance.now() - start, pages };
}

/** The baseline: pages of `row(twin)` over `twins` from a hand-written loop; the continuation is the next index. */
async function startBaseline(tls: { cert: string; key: string }, twins: readonly JsonObject[]): Promise<Server> {
  const byQuery = new Map(CASES.map((c) => [c.query, c]));
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { query } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string };
      const testCase = byQuery.get(query);
      if (testCase === undefined) {
        res.writeHead(400).end();
        return;
      }
      const from = Number(req.headers['x-ms-continuation'] ?? 0);
      const pageSize = Number(req.headers['x-ms-max-item-count'] ?? 100);
      const items: JsonObject[] = [];
      let next: number | undefined;
      for (let i = from; i < twins.length; i++) {
        const row = testCase.row(twins[i] as JsonObject);
        if (row === undefined) continue;
        if (items.length === pageSize) {
          next = i;
          break;
        }
        items.push(row);
      }
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'x-ms-item-type': testCase.itemType };
      if (next !== undefined) headers['x-ms-continuation'] = String(next);
      res.writeHead(200, headers).end(JSON.stringify(items));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Every device twin in its service shape, as the hub's query returns it. */
function serviceTwins(hub: HubEmulator): JsonObject[] {
  const twins: JsonObject[] = [];
  let continuation: string | undefined;
  do {
    const page = hub.query('SELECT * FROM devices', { pageSize: 1000, ...(continuation !== undefined && { continuation }) });
    twins.push(...page.items);
    continuation = page.continuation;
  } while (continuation !== undefined);
  return twins;
}

async function measureSize(context: BenchContext, twins: number, runs: number): Promise<{ rows: BenchRow[]; data: object }> {
  // The seeded store (populate.ts through the hub's own services, see BenchContext.seed), started as a user would.
  const hub = createEmulator({
    dataDir: await context.seededDataDir(twins), fsync: false, bindAddress: '127.0.0.1',
    ports: { mqtts: 0, https: 0, httpsFallback: null, mqtt: null, amqps: null },
  });
  const info = await hub.start();
  const agents: Agent[] = [];
  let baseline: Server | undefined;
  try {
    const certs = await ensureCertificates(dirname(info.caCertPath), { hostNames: ['localhost'] });
    baseline = await startBaseline({ cert: certs.serverCertPem, key: certs.serverKeyPem }, serviceTwins(hub));
    const endpoint = (port: number): Endpoint => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      return { port, ca: certs.caCertPem, authorization: serviceTokenFor(info.serviceConnectionString, info.hostName), agent };
    };
    const hubEndpoint = endpoint(info.ports.https ?? 0);
    const baseEndpoint = endpoint((baseline.address() as AddressInfo).port);
    const rows: BenchRow[] = [];
    const data: object[] = [];
    for (const testCase of CASES) {
      const measured = await measureCase(testCase, hubEndpoint, baseEndpoint, runs, twins);
      rows.push(...caseRows(testCase, twins, measured));
      data.push({ case: testCase.name, ...measured });
    }
    return { rows, data: { twins, cases: data } };
  } finally {
    for (const agent of agents) agent.destroy();
    await new Promise((resolve) => (baseline ? baseline.close(resolve) : resolve(undefined)));
    await hub.stop();
  }
}

interface Measured {
  readonly pages: number;
  readonly hubFirstMs: number;
  readonly hubAllMs: number;
  readonly baseFirstMs: number;
  readonly baseAllMs: number;
}

/**
 * Warm-up reads per case: the smallest size runs first in a process whose hub code the JIT has not seen yet (the
 * baseline's few lines warm up at once), so small fleets get more warm-up; ~20,000 twins read in all.
 */
function warmups(twins: number): number {
  return Math.min(10, Math.max(1, Math.ceil(20_000 / twins)));
}

async function measureCase(testCase: Case, hub: Endpoint, base: Endpoint, runs: number, twins: number): Promise<Measured> {
  // Warm-up runs of each; the first also proves both serve the same pages.
  const [hubPages, basePages] = [await readAllPages(hub, testCase.query), await readAllPages(base, testCase.query)];
  if (hubPages.pages.join() !== basePages.pages.join()) {
    throw new Error(`${testCase.name}: hub pages [${hubPages.pages.join()}] differ from baseline pages [${basePages.pages.join()}]`);
  }
  for (let i = 1; i < warmups(twins); i++) {
    await readAllPages(base, testCase.query);
    await readAllPages(hub, testCase.query);
  }
  const hubRuns: { firstMs: number; allMs: number }[] = [];
  const baseRuns: { firstMs: number; allMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    baseRuns.push(await readAllPages(base, testCase.query));
    hubRuns.push(await readAllPages(hub, testCase.query));
  }
  return {
    pages: hubPages.pages.length,
    hubFirstMs: round1(median(hubRuns.map((r) => r.firstMs))), hubAllMs: round1(median(hubRuns.map((r) => r.allMs))),
    baseFirstMs: round1(median(baseRuns.map((r) => r.firstMs))), baseAllMs: round1(median(baseRuns.map((r) => r.allMs))),
  };
}

function caseRows(testCase: Case, twins: number, m: Measured): BenchRow[] {
  const label = `${twins} twins, ${testCase.name}, ${m.pages} pages of ≤ ${PAGE_SIZE}`;
  const baselineName = 'hand-written loop over HTTPS';
  const allRatio = ratio(m.hubAllMs, m.baseAllMs);
  const rows: BenchRow[] = [
    { bench: '4 query REST', case: label, metric: 'all pages', value: m.hubAllMs, unit: 'ms', baselineName, baseline: m.baseAllMs, ratio: allRatio, goal: `≤ ${RATIO_GOAL}× baseline`, met: allRatio <= RATIO_GOAL },
  ];
  const firstGoal = testCase.selective && twins >= 100_000;
  rows.push({
    bench: '4 query REST', case: label, metric: 'first page', value: m.hubFirstMs, unit: 'ms', baselineName, baseline: m.baseFirstMs,
    ratio: ratio(m.hubFirstMs, m.baseFirstMs), ...(firstGoal && { goal: `≤ ${FIRST_PAGE_GOAL_MS} ms`, met: m.hubFirstMs <= FIRST_PAGE_GOAL_MS }),
  });
  return rows;
}

/** The REST query benchmark at each fleet size; rows for the summary table, data for bench-results/. */
export async function benchQueryRest(context: BenchContext, twinCounts: readonly number[], runs = 5): Promise<{ rows: BenchRow[]; data: object }> {
  const rows: BenchRow[] = [];
  const sizes: object[] = [];
  for (const twins of twinCounts) {
    const result = await measureSize(context, twins, runs);
    rows.push(...result.rows);
    sizes.push(result.data);
  }
  return { rows, data: { pageSize: PAGE_SIZE, sizes } };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { twins: { type: 'string' }, runs: { type: 'string' } } });
  const twinCounts = (values.twins ?? '1000,10000,100000').split(',').map(Number);
  const context = await createBenchContext({ quick: false, warmupMs: 0, measureMs: 0 });
  try {
    const result = await benchQueryRest(context, twinCounts, Number(values.runs ?? 5));
    console.error(`[bench] → ${writeResult('query-rest', { rows: result.rows, ...result.data })}`);
    printTable(result.rows);
  } finally {
    await context.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
