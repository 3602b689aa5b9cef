/**
 * Reads a Chromium trace (Playwright `browser.stopTracing()` with the `toplevel` category) for the tasks of the
 * page's main thread. Each task has its wall time (`dur`) and its thread time (`tdur`: CPU the main thread spent
 * on it). On an oversubscribed machine a task's wall time includes the time the OS did not run the thread at all,
 * so a 20 ms task can last 300 ms; its thread time is the page's own work, whatever the load.
 */

/** One task of the renderer's main thread, in milliseconds. */
export interface MainThreadTask {
  readonly wallMs: number;
  readonly cpuMs: number;
}

interface TraceEvent {
  readonly name?: string;
  readonly ph?: string;
  readonly pid?: number;
  readonly tid?: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/** The top-level tasks of the busiest renderer main thread (the page's) in a trace. */
export function mainThreadTasks(trace: Buffer | string): MainThreadTask[] {
  const parsed = JSON.parse(trace.toString()) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, MainThreadTask[]>();
  for (const event of events) {
    if (event.ph !== 'X' || event.name !== 'ThreadControllerImpl::RunTask') continue;
    const thread = `${event.pid}:${event.tid}`;
    if (!mains.has(thread)) continue;
    const list = byThread.get(thread) ?? [];
    list.push({ wallMs: (event.dur ?? 0) / 1000, cpuMs: (event.tdur ?? 0) / 1000 });
    byThread.set(thread, list);
  }
  const cpu = (tasks: readonly MainThreadTask[]) => tasks.reduce((sum, task) => sum + task.cpuMs, 0);
  return [...byThread.values()].sort((a, b) => cpu(b) - cpu(a))[0] ?? [];
}

/** Count, max and sums of a phase's tasks (rounded to 0.1 ms) for the bench results. */
export function summarizeTasks(tasks: readonly MainThreadTask[]): { tasks: number; maxCpuMs: number; maxWallMs: number; cpuOver50ms: number; cpuOver100ms: number; wallOver100ms: number; totalCpuMs: number } {
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    tasks: tasks.length,
    maxCpuMs: round(Math.max(0, ...tasks.map((task) => task.cpuMs))),
    maxWallMs: round(Math.max(0, ...tasks.map((task) => task.wallMs))),
    cpuOver50ms: tasks.filter((task) => task.cpuMs > 50).length,
    cpuOver100ms: tasks.filter((task) => task.cpuMs > 100).length,
    wallOver100ms: tasks.filter((task) => task.wallMs > 100).length,
    totalCpuMs: Math.round(tasks.reduce((sum, task) => sum + task.cpuMs, 0)),
  };
}
