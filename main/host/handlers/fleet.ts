import type { ConfigurationDto, DigitalTwinDto, JobDto } from '../../contract/dto.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** `jobs.*`: scheduled jobs through the hub's job service, the checks of `PUT /jobs/v2/{id}` (§7). */
export const jobHandlers: NamespaceHandlers<'jobs'> = {
  'jobs.list': async (_req, { host }) => host.requireRunning().fleet.listJobs() as unknown as JobDto[],
  'jobs.schedule': async ({ jobId, job }, { host }) => (await host.requireRunning().fleet.scheduleJob(jobId, job)) as unknown as JobDto,
  'jobs.cancel': async ({ jobId }, { host }) => (await host.requireRunning().fleet.cancelJob(jobId)) as unknown as JobDto,
};

/** `configurations.*`: automatic device management, the checks of `PUT /configurations/{id}` (§8). */
export const configurationHandlers: NamespaceHandlers<'configurations'> = {
  'configurations.list': async (_req, { host }) => host.requireRunning().fleet.listConfigurations() as unknown as ConfigurationDto[],
  'configurations.put': async ({ id, configuration, etag }, { host }) =>
    (await host.requireRunning().fleet.putConfiguration(id, configuration, etag)) as unknown as ConfigurationDto,
  'configurations.delete': async ({ id }, { host }) => {
    await host.requireRunning().fleet.removeConfiguration(id);
    return { id };
  },
};

/** `pnp.*`: the Plug and Play digital twin view and commands (§9), as `/digitaltwins/{id}` serves them. */
export const digitalTwinHandlers: NamespaceHandlers<'pnp'> = {
  'pnp.digitalTwin': async ({ deviceId }, { host }) => host.requireRunning().digitalTwins.get(deviceId) as DigitalTwinDto,
  'pnp.invokeCommand': async ({ deviceId, component, commandName, payload, responseTimeoutInSeconds }, { host }) =>
    host.requireRunning().digitalTwins.invoke({
      deviceId,
      ...(component === undefined ? {} : { component }),
      commandName,
      payload,
      responseTimeoutInSeconds,
      connectTimeoutInSeconds: 0,
    }),
};
