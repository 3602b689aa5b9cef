import type { SettingsDto } from '../../contract/dto.js';
import type { HandlerContext, NamespaceHandlers } from '../handler-types.js';

function settingsDto({ host }: HandlerContext): SettingsDto {
  return { settings: host.settings.settings, settingsFile: host.settings.file };
}

/** `settings.*`: ports, data folder, persistence; saving restarts the hub with them. */
export const settingsHandlers: NamespaceHandlers<'settings'> = {
  'settings.get': async (_req, context) => settingsDto(context),

  'settings.update': async ({ settings }, context) => {
    await context.host.applySettings(settings);
    return settingsDto(context);
  },
};
