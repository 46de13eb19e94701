// Reading a rule file: YAML with line numbers, checked by the schema, every error naming file, line and path, and
// an unknown key answered with the known key nearest to it.
import { createHash } from 'node:crypto';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { toPrison, type Prison } from './prison';
import { ruleFileSchema } from './schema';

export interface RuleFileError {
  file: string;
  line: number;
  path: string;
  message: string;
}

export type RuleFileResult = { ok: true; prison: Prison } | { ok: false; errors: RuleFileError[] };

/** The version of a rule file: the start of the SHA-256 of its text, recorded with every decision it makes. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known name nearest to a misspelt one, if any is near enough to be what was meant. */
export function nearest(name: string, known: string[]): string | undefined {
  const ranked = known
    .map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.candidate : undefined;
}

type AnySchema = z.core.$ZodType;

/** The keys an object in the schema accepts at a path of the data, for suggestions. */
function knownKeys(schema: AnySchema, path: PropertyKey[]): string[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return knownKeys(def.innerType as AnySchema, path);
    case 'lazy':
      return knownKeys((def.getter as () => AnySchema)(), path);
    case 'pipe':
      return knownKeys(def.in as AnySchema, path);
    case 'union':
      return [...new Set((def.options as AnySchema[]).flatMap((option) => knownKeys(option, path)))];
    case 'array':
      return path.length ? knownKeys(def.element as AnySchema, path.slice(1)) : [];
    case 'record':
      return path.length ? knownKeys(def.valueType as AnySchema, path.slice(1)) : [];
    case 'object': {
      const shape = def.shape as Record<string, AnySchema>;
      if (path.length === 0) return Object.keys(shape);
      const next = shape[String(path[0])];
      return next ? knownKeys(next, path.slice(1)) : [];
    }
    default:
      return [];
  }
}

/** The line of the node at `path`, or of its nearest ancestor that exists; of the key itself when `key` is given. */
function lineOf(doc: Document, lines: LineCounter, path: PropertyKey[], key?: string): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (depth === path.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) return lines.linePos(range[0]).line;
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return 1;
}

const dotted = (path: PropertyKey[]) => path.map(String).join('.') || '(file)';

/** Parses and checks one rule file's text. */
export function parseRuleFile(text: string, file: string): RuleFileResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({
        file,
        line: error.linePos?.[0].line ?? 1,
        path: '(file)',
        message: `YAML: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias bomb, say: refuse the file rather than expand it.
    const message = error instanceof Error ? error.message.split('\n')[0] : 'cannot be read';
    return { ok: false, errors: [{ file, line: 1, path: '(file)', message: `YAML: ${message}` }] };
  }
  const result = ruleFileSchema.safeParse(data);
  if (result.success) return { ok: true, prison: toPrison(result.data, contentHash(text), file) };
  const errors = result.error.issues.flatMap((issue): RuleFileError[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(ruleFileSchema, issue.path);
      return issue.keys.map((key) => {
        const suggestion = nearest(key, known);
        return {
          file,
          line: lineOf(doc, lines, issue.path, key),
          path: dotted([...issue.path, key]),
          message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        };
      });
    }
    return [{ file, line: lineOf(doc, lines, issue.path), path: dotted(issue.path), message: issue.message }];
  });
  return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
}

export function formatError(error: RuleFileError): string {
  return `${error.file}:${error.line}: ${error.path}: ${error.message}`;
}
