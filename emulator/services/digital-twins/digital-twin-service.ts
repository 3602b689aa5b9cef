import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import type { RequestContext } from '../../model/request-context.js';
import { parseServiceTwinBody } from '../../twin/service-twin-body.js';
import type { MethodService } from '../method-service.js';
import type { TwinService } from '../twin-service.js';
import { desiredPatchOf, type DigitalTwinOperation } from './digital-twin-patch.js';
import { digitalTwinView } from './digital-twin-view.js';

/** A command call (`POST /digitaltwins/{id}[/components/{c}]/commands/{name}`), validated by the transport. */
export interface DigitalTwinCommand {
  readonly deviceId: string;
  readonly component?: string;
  readonly commandName: string;
  readonly payload: JsonValue;
  readonly responseTimeoutInSeconds: number;
  readonly connectTimeoutInSeconds: number;
}

/**
 * The IoT Plug and Play digital twin API (iothub-protocol-2.md §9): a view of the device twin, JSON Patch mapped to
 * desired properties through the one twin write path, and commands mapped to direct methods through the one method
 * dispatcher (`<component>*<command>` for a component's command).
 */
export class DigitalTwinService {
  constructor(
    private readonly twins: TwinService,
    private readonly methods: MethodService,
  ) {}

  /** The digital twin and its etag (the twin's). */
  get(deviceId: string): { twin: JsonObject; etag: string } {
    const twin = this.twins.getServiceTwin({ deviceId });
    return { twin: digitalTwinView(twin), etag: String(twin.etag) };
  }

  /** Applies a JSON Patch as one desired update (`If-Match` against the twin etag); returns the new etag. */
  async patch(ctx: RequestContext, deviceId: string, operations: readonly DigitalTwinOperation[], ifMatch: string | undefined): Promise<string> {
    const twin = this.twins.getServiceTwin({ deviceId });
    const properties = isJsonObject(twin.properties) ? twin.properties : {};
    const desired = isJsonObject(properties.desired) ? properties.desired : {};
    const reported = isJsonObject(properties.reported) ? properties.reported : {};
    const patch = desiredPatchOf(operations, desired, reported);
    // The result must pass the twin rules (names, depth, sizes) like any desired patch.
    const body = parseServiceTwinBody({ properties: { desired: patch } });
    const written = await this.twins.writeTwin(ctx, { deviceId }, body, 'merge', ifMatch);
    return String(written.etag);
  }

  /** Invokes the command as a direct method; resolves with the device's status and payload. */
  invoke(command: DigitalTwinCommand): Promise<{ status: number; payload: JsonValue }> {
    const methodName = command.component === undefined ? command.commandName : `${command.component}*${command.commandName}`;
    return this.methods.invoke({
      deviceId: command.deviceId,
      methodName,
      payload: command.payload,
      responseTimeoutInSeconds: command.responseTimeoutInSeconds,
      connectTimeoutInSeconds: command.connectTimeoutInSeconds,
    });
  }
}
