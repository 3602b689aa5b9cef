import type { ResolvedConfig } from './config.js';
import { FleetApi } from './fleet-api.js';
import type { JsonObject } from './model/json.js';
import { twinKey } from './model/twin-address.js';
import type { QueryPage } from './query/index.js';
import { ConfigurationApplier } from './services/configurations/configuration-applier.js';
import { ConfigurationService } from './services/configurations/configuration-service.js';
import { DigitalTwinService } from './services/digital-twins/digital-twin-service.js';
import type { HubData } from './services/hub-data.js';
import { JobService } from './services/jobs/job-service.js';
import type { MethodService } from './services/method-service.js';
import type { TwinService } from './services/twin-service.js';
import type { TwinViewUpkeep } from './services/twin-view-upkeep.js';
import type { EmulatorStore } from './store/store.js';

/** Jobs, configurations and the digital twin API of a running hub, wired together (composition root helper). */
export interface FleetServices {
  readonly jobs: JobService;
  readonly configurations: ConfigurationService;
  readonly applier: ConfigurationApplier;
  readonly digitalTwins: DigitalTwinService;
  /** The front door's studio-facing API over jobs and configurations. */
  readonly fleet: FleetApi;
  /** Once the hub listens: schedules the stored jobs again and evaluates every configuration. */
  start(): void;
  /** Hub stop: no new job device operations or configuration passes. */
  close(): void;
}

/** What the fleet services need from the composition root. */
export interface FleetDeps {
  readonly data: HubData;
  readonly twins: TwinService;
  readonly methods: MethodService;
  readonly query: (text: string, options: { pageSize?: number; continuation?: string }) => QueryPage;
  readonly views: TwinViewUpkeep;
  readonly store: EmulatorStore;
  readonly config: ResolvedConfig;
}

/** Builds the fleet services (iothub-protocol-2.md §7-9). */
export function createFleetServices({ data, twins, methods, query, views, store, config }: FleetDeps): FleetServices {
  // Configurations follow committed twin changes only once started: in a cluster only the leader node starts them
  // (docs/cluster.md), so the other nodes do not apply the same configuration a second time.
  let started = false;
  const jobs = new JobService({ data, twins, methods, query, clock: config.clock, logger: config.logger, options: config.fleet.jobs });
  const applier = new ConfigurationApplier({
    data,
    twins,
    clock: config.clock,
    logger: config.logger,
    onCommitted: (listener) => store.onCommitted((batch) => started && listener(batch.changes)),
    intervalMs: config.fleet.configurationIntervalMs,
    view: (address) => {
      views.ensureComplete();
      return views.index.get(twinKey(address));
    },
  });
  const configurations = new ConfigurationService(data, twins, applier, query);
  return {
    jobs,
    configurations,
    applier,
    digitalTwins: new DigitalTwinService(twins, methods),
    fleet: new FleetApi(jobs, configurations, config.clock),
    start: () => {
      started = true;
      jobs.resume();
      applier.markAll();
    },
    close: () => {
      jobs.close();
      applier.close();
    },
  };
}

/** The `devices.jobs` rows source for the query views, bound once the fleet services exist. */
export function jobRowsOf(fleet: () => FleetServices | undefined): () => JsonObject[] {
  return () => fleet()?.jobs.deviceJobRows() ?? [];
}
