import { linter, type Diagnostic } from '@codemirror/lint';
import type { Extension } from '@codemirror/state';

import { jsonSyntaxLinter } from '../../components/json-syntax-lint.js';
import { locatePath } from './json-locate.js';
import { validateSection } from './twin-rules.js';

/** Inline diagnostics for a tags/desired editor: JSON syntax first, then the hub's content rules. */
export function twinLinter(section: 'tags' | 'desired'): Extension {
  const parse = jsonSyntaxLinter();
  return linter(
    (view) => {
      const syntax = parse(view);
      if (syntax.length > 0) return syntax;
      const value: unknown = JSON.parse(view.state.doc.toString());
      return validateSection(value, section).map(
        (issue): Diagnostic => ({ ...locatePath(view.state, issue.path, issue.target), severity: 'error', message: issue.message, source: 'IoT Hub rules' }),
      );
    },
    { delay: 150 },
  );
}
