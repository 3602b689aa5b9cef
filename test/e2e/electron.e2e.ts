import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { _electron as electron, expect, test } from '@playwright/test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The Electron binary, or undefined where the package was installed without it (as here and in CI). */
function electronBinary(): string | undefined {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

test('the Electron app opens a locked-down window with the hub running', async ({}, testInfo) => {
  const executablePath = electronBinary();
  test.skip(!executablePath, 'The Electron binary is not installed (its download is disabled); this test runs where it is.');
  const userData = await mkdtemp(join(tmpdir(), 'twin-studio-electron-'));
  // The app reads its settings from userData: free ports and a temp data folder keep the run isolated.
  await mkdir(userData, { recursive: true });
  await writeFile(
    join(userData, 'settings.json'),
    JSON.stringify({ ports: { mqtts: 0, https: null, mqtt: null, amqps: null }, dataDir: join(userData, 'hub'), persistence: 'file' }),
  );
  const app = await electron.launch({ executablePath: executablePath as string, args: [root, `--user-data-dir=${userData}`] });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('hub-status')).toHaveText('Hub Running', { timeout: 30_000 });
    const exposed = await window.evaluate(() => ({
      bridge: typeof (window as unknown as { twinStudio?: unknown }).twinStudio,
      node: typeof (globalThis as unknown as { require?: unknown }).require,
      process: typeof (globalThis as unknown as { process?: unknown }).process,
    }));
    expect(exposed).toEqual({ bridge: 'object', node: 'undefined', process: 'undefined' });
    await window.getByRole('button', { name: '+ Register' }).click();
    await window.getByLabel('Device id').fill('electron-device');
    await window.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(window.getByRole('heading', { name: 'electron-device' })).toBeVisible();
    await window.screenshot({ path: testInfo.outputPath('electron-window.png') });
  } finally {
    await app.close();
    await rm(userData, { recursive: true, force: true });
  }
});
