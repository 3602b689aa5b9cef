import { join } from 'node:path';

import type { EventHubConfig } from './config.js';
import type { Logger } from './logger.js';
import { EventHubService } from './services/event-hub-service.js';
import type { ModuleService } from './services/module-service.js';
import type { RegistryService } from './services/registry-service.js';
import type { EndpointOpeners } from './services/routing-service.js';
import { EventLog } from './store/event-log.js';
import { FileSink } from './store/file-sink.js';
import { WebhookSink } from './transports/webhook/webhook-sink.js';
import type { Clock } from './util/clock.js';

/** A file sink's default file size (IoT Hub's storage chunk default is larger; 10 MiB keeps files easy to open). */
const FILE_SINK_CHUNK_BYTES = 10 * 1024 * 1024;
/** Files a file sink keeps. */
const FILE_SINK_FILES = 20;

/**
 * How the composition root opens routing endpoints for `RoutingService` (files and sockets stay out of the services
 * layer): extra Event Hubs entities over their own `EventLog` in `<data folder>/endpoints/eventhubs/<entity>/` (in
 * memory for `persistence: 'memory'`), with the built-in endpoint's retention; file sinks in
 * `<data folder>/endpoints/files/<container>/`; webhook sinks. `applyRetention` runs retention on the open entities.
 */
export function routingEndpoints(deps: {
  readonly dataDir: string;
  readonly persistence: 'file' | 'memory';
  readonly fsync: boolean;
  readonly eventHub: EventHubConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: RegistryService;
  readonly modules: ModuleService;
}): { openers: EndpointOpeners; applyRetention: () => void } {
  const logs = new Set<EventLog>();
  const openers: EndpointOpeners = {
    eventHub: async (entity, partitions) => {
      const log = await EventLog.open({
        dir: deps.persistence === 'memory' ? undefined : join(deps.dataDir, 'endpoints', 'eventhubs', entity.toLowerCase()),
        partitions,
        retentionMs: deps.eventHub.retentionMs,
        maxBytesPerPartition: deps.eventHub.maxBytesPerPartition,
        fsync: deps.fsync,
        clock: deps.clock,
      });
      logs.add(log);
      const service = new EventHubService(log, deps.registry, deps.modules, entity, log.createdAt);
      return {
        service,
        close: () => {
          logs.delete(log);
          service.retire();
          return log.close();
        },
      };
    },
    fileSink: (sink) =>
      FileSink.open({ dir: join(deps.dataDir, 'endpoints', 'files', sink.containerName), maxFileBytes: sink.maxChunkSizeInBytes ?? FILE_SINK_CHUNK_BYTES, maxFiles: FILE_SINK_FILES }),
    webhook: (hook) => new WebhookSink({ url: hook.url, ...(hook.headers ? { headers: hook.headers } : {}), logger: deps.logger }),
  };
  return {
    openers,
    applyRetention: () => {
      for (const log of logs) log.applyRetention();
    },
  };
}
