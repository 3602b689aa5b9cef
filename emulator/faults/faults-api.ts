import type { ActiveFault, FaultEngine, ScenarioRun } from './fault-engine.js';
import { parseFaultSpec, type FaultSpec } from './fault-spec.js';
import type { FaultScenario } from './scenario.js';

/**
 * The front door's fault API (`emulator.faults`): what the studio's Faults panel, the CLI's scenario runner and tests
 * use. Every fault is checked as it arrives (a bad one throws `FaultSpecError` naming the field) and reported to the
 * traffic view when it acts.
 */
export class FaultsApi {
  constructor(private readonly engine: FaultEngine) {}

  /** Applies one fault now, e.g. `{ fault: 'drop', device: 'd1' }` or `{ fault: 'latency', latencyMs: 200, jitterMs: 50 }`. */
  inject(spec: FaultSpec): Promise<void> {
    return this.engine.apply(parseFaultSpec(spec), 'api');
  }

  /** Ends the timed faults of one device, or every fault (and brings a down hub back). */
  clear(deviceId?: string): void {
    this.engine.clear(deviceId);
  }

  /** The timed faults in force. */
  active(): ActiveFault[] {
    return this.engine.active();
  }

  /**
   * Replays a fault timeline (`parseScenario` reads one from a file's text); the same scenario makes the same choices.
   * Each step's fault is checked again here, so a hand-built scenario gets the same errors as a file.
   */
  runScenario(scenario: FaultScenario): ScenarioRun {
    const steps = scenario.steps.map((step, index) => ({ at: step.at, spec: parseFaultSpec(step.spec, `steps[${index}]`) }));
    return this.engine.runScenario({ ...scenario, steps });
  }

  /** Whether devices may ask for faults with the SDKs' `AzIoTHub_Fault*` message properties (config `faultInjection`). */
  get sdkProperties(): boolean {
    return this.engine.sdkProperties;
  }

  set sdkProperties(on: boolean) {
    this.engine.sdkProperties = on;
  }

  /** True while the hub is down (listeners closed). */
  get hubDown(): boolean {
    return this.engine.hubDown;
  }
}
