import { parseLesson, type Lesson } from './lesson-format.js';

// The lessons shipped in assets/lessons/, bundled at build time (a lesson file that does not parse fails the
// lesson tests, not the studio: it is listed with its error).

const FILES = import.meta.glob<string>(['../../../assets/lessons/*.json', '../../../assets/lessons/*.md', '!../../../assets/lessons/README.md'], { query: '?raw', import: 'default', eager: true });

/** A bundled lesson, or the reason its file could not be read. */
export type BuiltinLesson = { readonly file: string; readonly lesson: Lesson } | { readonly file: string; readonly error: string };

/** The built-in lessons, by file name. */
export function builtinLessons(): BuiltinLesson[] {
  return Object.entries(FILES)
    .map(([path, text]) => {
      const file = path.split('/').pop() ?? path;
      try {
        return { file, lesson: parseLesson(text, file) };
      } catch (error) {
        return { file, error: (error as Error).message };
      }
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}
