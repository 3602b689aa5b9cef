import { checkDeviceId } from '../index.js';
import { listBuiltinProfiles, resolveProfile } from '../simulation/builtin-profiles.js';
import { formatIssue, loadProfileFile, ProfileError } from '../simulation/parse-profile.js';
import { putProfile, SimulationStore, type RunState, type SimulationsDocument } from '../simulation/simulation-store.js';
import { readLiveStatus, type StatusDocument } from '../simulation/status-file.js';
import type { SimCommand } from './sim-args.js';
import { getOwn, setOwn } from '../util/own-keys.js';

/** Where the CLI writes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

type DataCommand = Exclude<SimCommand, { name: 'help' | 'serve' }>;

/** Runs one `sim` command; resolves with the process exit code. */
export async function runSimCommand(command: DataCommand, io: CliIo): Promise<number> {
  switch (command.name) {
    case 'list':
      return list(command.dataDir, command.json, io);
    case 'profiles':
      return profiles(command.json, io);
    case 'validate':
      return validate(command.files, command.json, io);
    case 'create':
      return create(command, io);
    case 'start':
    case 'pause':
    case 'stop':
    case 'delete':
      return changeRunState(command, io);
  }
}

async function list(dataDir: string, json: boolean, io: CliIo): Promise<number> {
  const document = await new SimulationStore(dataDir).read();
  const live = await readLiveStatus(dataDir);
  const rows = Object.values(document.simulations)
    .sort((a, b) => a.deviceId.localeCompare(b.deviceId))
    .map((record) => ({
      deviceId: record.deviceId,
      profileName: profileName(document, record.profileKey),
      runState: record.runState,
      ...(live?.devices[record.deviceId] ? { status: live.devices[record.deviceId] } : {}),
    }));
  if (json) {
    io.out(`${JSON.stringify({ host: live?.host ?? null, simulations: rows }, null, 2)}\n`);
    return 0;
  }
  const table = rows.map((row) => {
    const status = row.status;
    const counters = status ? `${status.counters.reported}/${status.counters.telemetry}/${status.counters.desiredApplied}/${status.counters.methodsAnswered}/${status.counters.errors}` : '-';
    return [row.deviceId, row.profileName, row.runState, status?.state ?? '-', counters, status?.lastError ?? ''];
  });
  io.out(formatTable([['DEVICE', 'PROFILE', 'RUN STATE', 'LIVE', 'REP/TEL/DES/METH/ERR', 'LAST ERROR'], ...table]));
  io.out(`${hostLine(live, dataDir)}\n`);
  return 0;
}

async function profiles(json: boolean, io: CliIo): Promise<number> {
  const summaries = await listBuiltinProfiles();
  if (json) io.out(`${JSON.stringify(summaries, null, 2)}\n`);
  else io.out(summaries.map((summary) => `${summary.name}\n    ${summary.description}\n`).join(''));
  return 0;
}

async function validate(files: readonly string[], json: boolean, io: CliIo): Promise<number> {
  const results: { file: string; ok: boolean; errors: string[] }[] = [];
  for (const file of files) {
    try {
      await loadProfileFile(file);
      results.push({ file, ok: true, errors: [] });
    } catch (error) {
      const errors = error instanceof ProfileError ? error.issues.map(formatIssue) : [(error as Error).message];
      results.push({ file, ok: false, errors });
    }
  }
  if (json) io.out(`${JSON.stringify(results, null, 2)}\n`);
  else for (const result of results) io.out(result.ok ? `${result.file}: valid\n` : `${result.file}: invalid\n${result.errors.map((e) => `  - ${e}\n`).join('')}`);
  return results.every((result) => result.ok) ? 0 : 1;
}

async function create(command: Extract<SimCommand, { name: 'create' }>, io: CliIo): Promise<number> {
  const { profile, source } = await resolveProfile(command.profile);
  const ids = command.count === undefined ? [command.deviceId] : Array.from({ length: command.count }, (_, i) => `${command.deviceId}-${i + 1}`);
  for (const id of ids) {
    const idError = checkDeviceId(id);
    if (idError) throw new Error(idError.message);
  }
  const store = new SimulationStore(command.dataDir);
  const now = new Date().toISOString();
  const { document } = await store.update((doc) => {
    const taken = ids.filter((id) => Object.hasOwn(doc.simulations, id));
    if (taken.length > 0) throw new Error(`already simulated: ${taken.join(', ')}`);
    const profileKey = putProfile(doc, profile.name, source);
    for (const id of ids) setOwn(doc.simulations, id, { deviceId: id, profileKey, runState: command.runState, createdAt: now, updatedAt: now });
  });
  io.out(`created ${ids.length} simulated device${ids.length === 1 ? '' : 's'} with profile ${profile.name}\n`);
  return report(command, document, ids, io);
}

async function changeRunState(command: Extract<SimCommand, { name: 'start' | 'pause' | 'stop' | 'delete' }>, io: CliIo): Promise<number> {
  const store = new SimulationStore(command.dataDir);
  const runState: Record<string, RunState> = { start: 'running', pause: 'paused', stop: 'stopped' };
  const now = new Date().toISOString();
  const { document, result: ids } = await store.update((doc) => {
    const targets = command.all ? Object.keys(doc.simulations) : [...command.deviceIds];
    const unknown = targets.filter((id) => !Object.hasOwn(doc.simulations, id));
    if (unknown.length > 0) throw new Error(`no simulation for: ${unknown.join(', ')}`);
    for (const id of targets) {
      const record = getOwn(doc.simulations, id);
      if (!record) continue;
      if (command.name === 'delete') delete doc.simulations[id];
      else setOwn(doc.simulations, id, { ...record, runState: runState[command.name] ?? record.runState, updatedAt: now });
    }
    return targets;
  });
  io.out(`${command.name}: ${ids.length} simulated device${ids.length === 1 ? '' : 's'}\n`);
  return report(command, document, command.name === 'delete' ? [] : ids, io);
}

/** Waits (unless told not to) until the live host has applied `document`, then shows the devices' states. */
async function report(
  command: { dataDir: string; wait: boolean; json: boolean },
  document: SimulationsDocument,
  ids: readonly string[],
  io: CliIo,
): Promise<number> {
  const live = command.wait ? await waitForHost(command.dataDir, document.revision) : await readLiveStatus(command.dataDir);
  if (command.json) {
    io.out(`${JSON.stringify({ revision: document.revision, applied: live ? live.appliedRevision >= document.revision : false, devices: ids.map((id) => ({ deviceId: id, status: live?.devices[id] ?? null })) }, null, 2)}\n`);
    return 0;
  }
  if (!live) {
    io.out(`saved in ${command.dataDir}; no hub host is running, so it applies when the studio or "npm run sim -- serve" starts\n`);
    return 0;
  }
  if (live.appliedRevision < document.revision) {
    io.err(`the host (pid ${live.host.pid}) has not applied the change yet; check again with "npm run sim -- list"\n`);
    return 0;
  }
  const shown = ids.slice(0, 20);
  for (const id of shown) {
    const status = live.devices[id];
    io.out(`  ${id}: ${status ? status.state : 'unknown'}${status?.lastError ? ` (${status.lastError})` : ''}\n`);
  }
  if (ids.length > shown.length) io.out(`  … and ${ids.length - shown.length} more ("npm run sim -- list")\n`);
  return 0;
}

async function waitForHost(dataDir: string, revision: number, timeoutMs = 15_000): Promise<StatusDocument | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await readLiveStatus(dataDir);
    if (!live || live.appliedRevision >= revision || Date.now() > deadline) return live;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function profileName(document: SimulationsDocument, key: string): string {
  const profile = document.profiles[key] as { name?: unknown } | undefined;
  return typeof profile?.name === 'string' ? profile.name : key;
}

function hostLine(live: StatusDocument | undefined, dataDir: string): string {
  if (!live) return `no hub host is running for ${dataDir}: RUN STATE is what will happen at its next start`;
  return `host: pid ${live.host.pid} since ${live.host.startedAt}, devices connect to ${live.host.hostName}:${live.host.mqttsPort}`;
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}
