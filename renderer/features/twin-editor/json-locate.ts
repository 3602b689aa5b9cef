import { ensureSyntaxTree } from '@codemirror/language';
import type { EditorState } from '@codemirror/state';
import type { SyntaxNode } from '@lezer/common';

/** A character span in the editor text. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

const VALUE_NODES = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null']);

function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) list.push(child);
  return list;
}

function propertyName(state: EditorState, node: SyntaxNode): string | undefined {
  try {
    const parsed: unknown = JSON.parse(state.sliceDoc(node.from, node.to));
    return typeof parsed === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function step(state: EditorState, node: SyntaxNode, segment: string | number): { key?: SyntaxNode; value: SyntaxNode } | undefined {
  if (node.name === 'Object' && typeof segment === 'string') {
    for (const property of children(node).filter((child) => child.name === 'Property')) {
      const name = property.getChild('PropertyName');
      const value = children(property).find((child) => VALUE_NODES.has(child.name));
      if (name && value && propertyName(state, name) === segment) return { key: name, value };
    }
  }
  if (node.name === 'Array' && typeof segment === 'number') {
    const value = children(node).filter((child) => VALUE_NODES.has(child.name))[segment];
    if (value) return { value };
  }
  return undefined;
}

/**
 * Where a JSON path is in the editor's text (the JSON language's syntax tree), so a rule issue can be underlined
 * on the property name (`target: 'key'`) or its value. Falls back to the deepest part of the path that exists.
 */
export function locatePath(state: EditorState, path: readonly (string | number)[], target: 'key' | 'value'): Span {
  const tree = ensureSyntaxTree(state, state.doc.length, 500);
  const top = tree?.topNode.firstChild;
  if (!top) return { from: 0, to: Math.min(state.doc.length, 1) };
  let node: SyntaxNode = top;
  let key: SyntaxNode | undefined;
  for (const segment of path) {
    const next = step(state, node, segment);
    if (!next) break;
    node = next.value;
    key = next.key;
  }
  const span = target === 'key' && key ? key : node;
  // A whole object or array is long; its first line is enough to see.
  const lineEnd = state.doc.lineAt(span.from).to;
  return { from: span.from, to: Math.max(span.from + 1, Math.min(span.to, lineEnd)) };
}
