import { expect, test } from '@playwright/test';

import { expectAccessible } from '../helpers/accessibility.js';

// The studio's accessibility checks run axe-core in the page through test/helpers/accessibility.ts instead of
// AxeBuilder; this proves that helper still reports what axe finds (a check that cannot fail proves nothing).
test('the accessibility helper reports serious axe-core violations', async ({ page }) => {
  await page.setContent(
    '<html lang="en"><head><title>bad page</title></head><body><main><h1>Bad</h1><button></button>' +
      '<p style="color:#777;background:#888">low contrast</p></main></body></html>',
  );
  const failure = await expectAccessible(page, 'a page with two violations').then(
    () => 'no failure',
    (error: Error) => error.message,
  );
  expect(failure).toContain('button-name');
  expect(failure).toContain('color-contrast');
});
