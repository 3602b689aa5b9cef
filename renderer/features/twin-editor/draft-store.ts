import type { TwinDocument } from '../../../main/contract/index.js';

/** An editable twin section. */
export type DraftSection = 'tags' | 'desired';

/** One unsaved section: its text and the twin it was edited from. */
export interface StoredDraft {
  readonly text: string;
  readonly base: TwinDocument;
}

const PREFIX = 'twin-studio.draft.';
/** Drafts kept in memory; mirrored to sessionStorage so a reload of the window keeps them too. */
const drafts = new Map<string, StoredDraft>();
let loaded = false;
let guarded = false;

/** `twin` is a twin key (twin-key.ts): a device id, or `deviceId/moduleId` for a module twin. */
function keyOf(twin: string, section: DraftSection): string {
  return `${PREFIX}${section}.${twin}`;
}

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.sessionStorage;
  } catch {
    return undefined;
  }
}

function load(): void {
  if (loaded) return;
  loaded = true;
  const store = storage();
  if (!store) return;
  for (let i = 0; i < store.length; i += 1) {
    const key = store.key(i);
    if (!key?.startsWith(PREFIX)) continue;
    try {
      const value = JSON.parse(store.getItem(key) ?? '') as StoredDraft;
      if (typeof value.text === 'string' && typeof value.base?.etag === 'string') drafts.set(key, value);
    } catch {
      store.removeItem(key);
    }
  }
  if (drafts.size > 0) guardUnload();
}

/** Asks the browser to confirm leaving the page (reload, close) while any draft is unsaved. */
function guardUnload(): void {
  if (guarded || typeof window === 'undefined') return;
  guarded = true;
  window.addEventListener('beforeunload', (event) => {
    if (!hasDrafts()) return;
    event.preventDefault();
    // Chromium and Electron show their prompt only when returnValue is set.
    event.returnValue = '';
  });
}

/** The unsaved text of a twin's section, if any (`twin`: a twin key). */
export function readDraft(twin: string, section: DraftSection): StoredDraft | undefined {
  load();
  return drafts.get(keyOf(twin, section));
}

/** Keeps (or, with `undefined`, forgets) the unsaved text of a twin's section (`twin`: a twin key). */
export function writeDraft(twin: string, section: DraftSection, draft: StoredDraft | undefined): void {
  load();
  const key = keyOf(twin, section);
  const store = storage();
  if (draft) {
    drafts.set(key, draft);
    guardUnload();
    try {
      store?.setItem(key, JSON.stringify(draft));
    } catch {
      // Storage full or denied: the in-memory draft still survives navigation inside the window.
    }
  } else if (drafts.delete(key)) {
    store?.removeItem(key);
  }
}

/** True when any device has an unsaved section. */
export function hasDrafts(): boolean {
  load();
  return drafts.size > 0;
}

/** Ids of the devices with unsaved sections in their own twin or one of their modules' twins. */
export function devicesWithDrafts(): Set<string> {
  load();
  return new Set([...drafts.keys()].map((key) => key.slice(PREFIX.length).replace(/^(tags|desired)\./, '').split('/')[0] ?? ''));
}

/** Forgets every draft (tests). */
export function forgetDrafts(): void {
  const store = storage();
  for (const key of drafts.keys()) store?.removeItem(key);
  drafts.clear();
  loaded = false;
}
