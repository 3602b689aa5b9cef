/**
 * Channel names only — no schemas — so the preload can build `window.twinStudio` without bundling the validator.
 * `channels.ts` checks at compile time that its schema table and push map have exactly these keys.
 */

/** Every invoke channel, `namespace.method`. */
export const INVOKE_CHANNELS = [
  'emulator.status',
  'emulator.reset',
  'emulator.export',
  'emulator.import',
  'emulator.tierUsage',
  'emulator.cluster',
  'settings.get',
  'settings.update',
  'devices.list',
  'devices.get',
  'devices.create',
  'devices.createWithCertificate',
  'devices.setStatus',
  'devices.delete',
  'modules.list',
  'modules.get',
  'modules.create',
  'modules.delete',
  'twin.get',
  'twin.update',
  'twin.replace',
  'twin.history',
  'twin.atVersion',
  'query.run',
  'methods.invoke',
  'c2d.send',
  'traffic.snapshot',
  'traffic.endpoint',
  'traffic.setRouting',
  'simulations.list',
  'simulations.profiles',
  'simulations.create',
  'simulations.setRunState',
  'simulations.remove',
  'simulations.setApplyOnClick',
  'simulations.applyDesired',
  'provisioning.overview',
  'provisioning.putEnrollment',
  'provisioning.putGroup',
  'provisioning.remove',
  'provisioning.deriveKey',
  'jobs.list',
  'jobs.schedule',
  'jobs.cancel',
  'configurations.list',
  'configurations.put',
  'configurations.delete',
  'pnp.digitalTwin',
  'pnp.invokeCommand',
  'snapshots.list',
  'snapshots.save',
  'snapshots.restore',
  'snapshots.remove',
  'stepper.state',
  'stepper.configure',
  'stepper.release',
  'stepper.releaseAll',
  'faults.status',
  'faults.inject',
  'faults.clear',
  'faults.setSdkProperties',
] as const;

/** Names of all invoke channels. */
export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];

/** Every push channel. */
export const PUSH_CHANNELS = ['traffic.batch', 'devices.changed', 'twin.changed', 'emulator.status', 'simulations.changed', 'provisioning.changed', 'c2d.settled', 'modules.changed'] as const;

/** Names of all push channels. */
export type PushChannel = (typeof PUSH_CHANNELS)[number];

const invokeNames: ReadonlySet<string> = new Set(INVOKE_CHANNELS);

/** True when `name` is an invoke channel (for gatekeepers receiving untrusted names). */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && invokeNames.has(name);
}
