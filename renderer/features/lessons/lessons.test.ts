import { describe, expect, it } from 'vitest';

import { builtinLessons } from './builtin-lessons.js';
import { LessonError, parseLesson } from './lesson-format.js';

describe('lessons', () => {
  it('ships four lessons that parse, each with a final check', () => {
    const lessons = builtinLessons();
    expect(lessons.map((item) => item.file)).toEqual(['1-tags-and-queries.md', '2-desired-reported-sync.md', '3-optimistic-concurrency.json', '4-offline-device.json']);
    for (const item of lessons) {
      if (!('lesson' in item)) throw new Error(item.error);
      expect(item.lesson.steps.at(-1)?.check, item.file).toBeDefined();
    }
  });

  it('reads Markdown with front matter: steps by heading, action and check blocks as JSON', () => {
    const lesson = parseLesson('---\nid: x\ntitle: X\n---\n\n## One\nHello `code`.\n\n```action\n{"label":"Go","do":[{"op":"createDevice","deviceId":"d"}]}\n```\n\n```check\n{"kind":"query","query":"SELECT * FROM devices","count":1}\n```\n', 'x.md');
    expect(lesson).toMatchObject({ id: 'x', title: 'X', steps: [{ title: 'One', text: 'Hello `code`.', action: { label: 'Go' }, check: { kind: 'query', count: 1 } }] });
  });

  it('names the step and field of a bad lesson', () => {
    expect(() => parseLesson('{"format":"twin-studio-lesson","id":"a","title":"A","steps":[{"title":"s","text":"t","action":{"label":"l","do":[{"op":"explode"}]}}]}', 'a.json')).toThrow(/a\.json: step 1: action\.do\[0\]\.op must be one of/);
    expect(() => parseLesson('no front matter', 'b.md')).toThrow(LessonError);
    expect(() => parseLesson('{"format":"twin-studio-lesson","id":"a","title":"A","steps":[{"title":"s","text":"t","check":{"kind":"twin"}}]}', 'c.json')).toThrow(/step 1: check needs "deviceId" and "path"/);
  });
});
