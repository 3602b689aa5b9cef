import { summarise, type LatencySummary } from './stats.js';

/** What a closed-loop run measured. */
export interface LoopResult {
  /** Operations completed inside the measuring window. */
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSecond: number;
  readonly latencyMs: LatencySummary;
  /** Requests still unanswered when the drain time ran out (should be 0). */
  readonly unanswered: number;
  /** CPU the load process itself used per operation (ms): if it nears 1 core, the client is the bottleneck. */
  readonly loadCpuMsPerOp: number;
  /** Load-process CPU as a share of one core during the measuring window. */
  readonly loadCpuShare: number;
}

/** Hooks a scenario gives the loop: send request `token` on client `client`. */
export type Issue = (client: number, token: number) => void;

/**
 * A closed-loop load driver: every client keeps `window` requests outstanding and sends the next one only when an
 * answer arrives, so the offered load adapts to what the server sustains (no queue builds up on our side and the
 * latencies are those of a saturated server, not of an overloaded client). The scenario calls `complete(token)`
 * when the answer for `token` arrives. Only answers that arrive inside the measuring window (after a warm-up)
 * count; everything is bounded by `warmupMs + measureMs + drainMs`.
 */
export class ClosedLoop {
  private readonly started = new Map<number, { client: number; at: number }>();
  private nextToken = 1;
  private phase: 'idle' | 'warmup' | 'measure' | 'drain' = 'idle';
  private completed = 0;
  private latencies: number[] = [];

  constructor(
    private readonly clients: number,
    private readonly window: number,
    private readonly issue: Issue,
  ) {}

  /** Records the answer for `token` and, while the run is on, sends that client's next request. */
  complete(token: number): void {
    const request = this.started.get(token);
    if (!request) return;
    this.started.delete(token);
    if (this.phase === 'measure') {
      this.completed += 1;
      this.latencies.push(performance.now() - request.at);
    }
    if (this.phase === 'warmup' || this.phase === 'measure') this.send(request.client);
  }

  /** Runs warm-up, measurement and drain; `onMeasure(start|end)` lets a scenario sample server CPU at the edges. */
  async run(options: {
    warmupMs: number;
    measureMs: number;
    drainMs?: number;
    onMeasure?: (edge: 'start' | 'end') => Promise<void> | void;
  }): Promise<LoopResult> {
    this.phase = 'warmup';
    for (let client = 0; client < this.clients; client++) for (let i = 0; i < this.window; i++) this.send(client);
    await sleep(options.warmupMs);
    await options.onMeasure?.('start');
    this.phase = 'measure';
    const start = performance.now();
    const cpu = process.cpuUsage();
    await sleep(options.measureMs);
    this.phase = 'drain';
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - start) / 1000;
    const loadCpuMs = (used.user + used.system) / 1000;
    await options.onMeasure?.('end');
    const deadline = Date.now() + (options.drainMs ?? 10_000);
    while (this.started.size > 0 && Date.now() < deadline) await sleep(20);
    this.phase = 'idle';
    return {
      ops: this.completed,
      seconds,
      opsPerSecond: Math.round(this.completed / seconds),
      latencyMs: summarise(this.latencies),
      unanswered: this.started.size,
      loadCpuMsPerOp: this.completed > 0 ? loadCpuMs / this.completed : Number.NaN,
      loadCpuShare: Math.round((loadCpuMs / (seconds * 1000)) * 100) / 100,
    };
  }

  private send(client: number): void {
    const token = this.nextToken++;
    this.started.set(token, { client, at: performance.now() });
    this.issue(client, token);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
