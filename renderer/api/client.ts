import type { TwinStudioApi } from '../../main/contract/index.js';
import { createHttpApi } from './http-client.js';

const TOKEN_KEY = 'twin-studio.token';

/**
 * The one place that touches `window.*` for the API (house-style §7): inside Electron the preload's
 * `window.twinStudio`; in browser mode the HTTP/SSE adapter, with the token taken from the URL fragment
 * (then removed from the address bar and kept for reloads in session storage).
 */
export function connectApi(): TwinStudioApi | undefined {
  const bridge = (window as Window & { twinStudio?: TwinStudioApi }).twinStudio;
  if (bridge) return bridge;
  const token = takeToken();
  return token ? createHttpApi({ token }) : undefined;
}

function takeToken(): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromUrl;
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}
