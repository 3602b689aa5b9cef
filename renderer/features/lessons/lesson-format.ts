import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import type { TwinStudioApi } from '../../../main/contract/index.js';

/** A fault as the Faults view injects it (`faults.inject`; emulator/faults/README.md); the hub checks every field. */
export type LessonFault = Parameters<TwinStudioApi['faults']['inject']>[0]['spec'];

// A lesson is a file: JSON (`{"format": "twin-studio-lesson", …}`) or Markdown with a front matter block
// (`---` / `key: value` lines / `---`) whose `## ` headings start steps; in a step, a fenced block tagged `action`
// or `check` holds that part as JSON, the rest is the text shown. See assets/lessons/README.md.

/** Something the studio does for the class when the trainer clicks the step's button. */
export type LessonOp =
  | { readonly op: 'createDevice'; readonly deviceId: string }
  | { readonly op: 'simulate'; readonly deviceId: string; readonly profile: string }
  | { readonly op: 'setRunState'; readonly deviceId: string; readonly runState: 'running' | 'paused' | 'stopped' }
  | {
      readonly op: 'updateTwin';
      readonly deviceId: string;
      readonly tags?: JsonObject;
      readonly desired?: JsonObject;
      /** `current` (read just before), `*`, or `saved:<name>` (an etag kept by an earlier op). Default `current`. */
      readonly etag?: string;
      /** Keeps the etag the write produced under a name. */
      readonly saveEtagAs?: string;
      /** The status this write should get (e.g. 412); anything else fails the step. Default 200. */
      readonly expectStatus?: number;
    }
  | { readonly op: 'readTwin'; readonly deviceId: string; readonly saveEtagAs: string }
  | { readonly op: 'stepThrough'; readonly enabled: boolean; readonly deviceIds: readonly string[] | null }
  | { readonly op: 'releaseAll' }
  /** Injects a fault (drop a device's connection, refuse connections, take the hub down, …). */
  | { readonly op: 'fault'; readonly spec: LessonFault };

/** What turns a step green. */
export type LessonCheck =
  | { readonly kind: 'query'; readonly query: string; readonly count: number }
  | {
      readonly kind: 'twin';
      readonly deviceId: string;
      /** Dotted path in the service twin: `tags.location.plant`, `properties.reported.connectivity.type`. */
      readonly path: string;
      readonly equals?: JsonValue;
      /** Another path whose value must be equal (e.g. reported equals desired). */
      readonly sameAs?: string;
      /** A number at least this big (e.g. a `$version`). */
      readonly atLeast?: number;
      readonly exists?: boolean;
    }
  | { readonly kind: 'action' }
  | { readonly kind: 'all'; readonly checks: readonly LessonCheck[] };

export interface LessonStep {
  readonly title: string;
  readonly text: string;
  readonly action?: { readonly label: string; readonly do: readonly LessonOp[] };
  readonly check?: LessonCheck & { readonly label?: string };
}

export interface Lesson {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly steps: readonly LessonStep[];
}

/** A lesson file that cannot be used, with the reason. */
export class LessonError extends Error {}

const OPS = new Set(['createDevice', 'simulate', 'setRunState', 'updateTwin', 'readTwin', 'stepThrough', 'releaseAll', 'fault']);
/** Ops that name no device of their own. */
const DEVICELESS_OPS = new Set(['releaseAll', 'stepThrough', 'fault']);
const CHECKS = new Set(['query', 'twin', 'action', 'all']);

/** Parses a lesson file by its name's ending (`.md` = Markdown, anything else JSON). */
export function parseLesson(text: string, fileName: string): Lesson {
  return fileName.endsWith('.md') ? parseMarkdownLesson(text, fileName) : checkLesson(parseJson(text, fileName), fileName);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LessonError(`${where}: not JSON (${(error as Error).message})`);
  }
}

function parseMarkdownLesson(text: string, fileName: string): Lesson {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
  if (!match) throw new LessonError(`${fileName}: a Markdown lesson starts with a front matter block between --- lines`);
  const front: Record<string, string> = {};
  for (const line of (match[1] ?? '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) front[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const steps: JsonObject[] = [];
  for (const chunk of (match[2] ?? '').split(/^## /m).slice(1)) {
    const newline = chunk.indexOf('\n');
    const title = (newline < 0 ? chunk : chunk.slice(0, newline)).trim();
    let body = newline < 0 ? '' : chunk.slice(newline + 1);
    const step: JsonObject = { title };
    body = body.replace(/^```(action|check)\r?\n([\s\S]*?)^```\s*$/gm, (_all, kind: string, json: string) => {
      step[kind] = parseJson(json, `${fileName}, step "${title}", ${kind}`) as JsonValue;
      return '';
    });
    step.text = body.trim();
    steps.push(step);
  }
  return checkLesson({ format: 'twin-studio-lesson', id: front.id, title: front.title, summary: front.summary ?? '', steps }, fileName);
}

/** Checks the shape of a parsed lesson; every problem names the step and field. */
export function checkLesson(value: unknown, where: string): Lesson {
  const fail = (message: string): never => {
    throw new LessonError(`${where}: ${message}`);
  };
  if (!isObject(value) || value.format !== 'twin-studio-lesson') fail('expected {"format": "twin-studio-lesson", …}');
  const lesson = value as JsonObject;
  for (const field of ['id', 'title'] as const) if (typeof lesson[field] !== 'string' || lesson[field] === '') fail(`"${field}" must be a non-empty string`);
  if (!Array.isArray(lesson.steps) || lesson.steps.length === 0) fail('"steps" must be a non-empty list');
  const steps = (lesson.steps as JsonValue[]).map((step, i) => {
    const at = `step ${i + 1}`;
    if (!isObject(step) || typeof step.title !== 'string' || typeof step.text !== 'string') fail(`${at} needs "title" and "text"`);
    const s = step as JsonObject;
    if (s.action !== undefined) {
      const action = s.action;
      if (!isObject(action) || typeof action.label !== 'string' || !Array.isArray(action.do)) fail(`${at}: "action" needs "label" and a "do" list`);
      for (const [j, op] of ((action as JsonObject).do as JsonValue[]).entries()) {
        if (!isObject(op) || typeof op.op !== 'string' || !OPS.has(op.op)) fail(`${at}: action.do[${j}].op must be one of ${[...OPS].join(', ')}`);
        const fields = op as JsonObject;
        if (!DEVICELESS_OPS.has(fields.op as string) && typeof fields.deviceId !== 'string') fail(`${at}: action.do[${j}] needs "deviceId"`);
        if (fields.op === 'fault' && (!isObject(fields.spec) || typeof fields.spec.fault !== 'string')) fail(`${at}: action.do[${j}] needs "spec" with a "fault"`);
      }
    }
    if (s.check !== undefined) checkCheck(s.check, `${at}: check`, fail);
    return s as unknown as LessonStep;
  });
  return { id: lesson.id as string, title: lesson.title as string, summary: typeof lesson.summary === 'string' ? lesson.summary : '', steps };
}

function checkCheck(check: JsonValue, at: string, fail: (message: string) => never): void {
  if (!isObject(check) || typeof check.kind !== 'string' || !CHECKS.has(check.kind)) fail(`${at}.kind must be one of ${[...CHECKS].join(', ')}`);
  const c = check as JsonObject;
  if (c.kind === 'query' && (typeof c.query !== 'string' || typeof c.count !== 'number')) fail(`${at} needs "query" and "count"`);
  if (c.kind === 'twin' && (typeof c.deviceId !== 'string' || typeof c.path !== 'string')) fail(`${at} needs "deviceId" and "path"`);
  if (c.kind === 'all') {
    if (!Array.isArray(c.checks)) fail(`${at} needs "checks"`);
    (c.checks as JsonValue[]).forEach((inner, i) => checkCheck(inner, `${at}.checks[${i}]`, fail));
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
