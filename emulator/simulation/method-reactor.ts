import type { BehaviourHost, DeviceChannel } from './behaviour-types.js';
import type { MethodRequest } from './device-link.js';
import type { DeviceModel } from './device-model.js';
import { runSteps } from './run-steps.js';
import { ignoreCancelled, type TaskScope } from './task-scope.js';

/** Answers direct methods as the profile says: after `delayMs`, with `status` and `payload`, then runs the steps. */
export class MethodReactor {
  constructor(
    private readonly model: DeviceModel,
    private readonly channel: DeviceChannel,
    private readonly host: BehaviourHost,
    private readonly scope: TaskScope,
  ) {}

  onRequest(request: MethodRequest): void {
    const reaction = this.model.methodReaction(request.name);
    if (reaction.noAnswer) {
      // On purpose: the service call times out (504) as with a hung device.
      this.host.activity('methodIgnored', request.name);
      return;
    }
    const scope = this.scope.child();
    void (async () => {
      await scope.sleep(reaction.delayMs);
      const payload = reaction.payload({ input: request.payload }) ?? null;
      this.channel.respondToMethod(request.rid, reaction.status, payload);
      this.host.activity('methodAnswered', `${request.name} → ${reaction.status}`);
      await runSteps(reaction.steps, request.payload, scope, this.channel, this.host, `method ${request.name}`);
    })()
      .catch(ignoreCancelled((error) => this.host.activity('error', `method ${request.name}: ${error.message}`)))
      .finally(() => this.scope.release(scope));
  }
}
