// Reading a rule file: YAML with line numbers, checked by the schema, every error naming file, line and path, and
// an unknown key answered with the known key nearest to it. `checkYamlFile` does this for any schema: the
// assisted-digital settings (./assistedDigital) are read the same way.
import { createHash } from 'node:crypto';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { toPrison, type Prison } from './prison';
import { ruleFileSchema } from './schema';

/** A mistake in a checked YAML file: a rule file, or the assisted-digital settings. */
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

/**
 * The line of the node at `path`, or of its nearest ancestor that exists; of the key itself when `key` is given, or,
 * when the map at `path` lacks that key, of the map's own key, where the missing one belongs.
 */
function lineOf(doc: Document, lines: LineCounter, path: PropertyKey[], key?: string): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (depth === path.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) return lines.linePos(range[0]).line;
      if (!pair && path.length > 0) return lineOf(doc, lines, path.slice(0, -1), String(path[path.length - 1]));
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return 1;
}

const dotted = (path: PropertyKey[]) => path.map(String).join('.') || '(file)';

export type CheckedYaml<T> = { ok: true; data: T } | { ok: false; errors: RuleFileError[] };

/**
 * Parses YAML text and checks it against `schema`: the data, or every error naming file, line and path. A custom
 * issue may name a key of the map at its path in `params.key` (an unknown prison id, a missing channel): the error
 * is then on that key's line.
 */
export function checkYamlFile<S extends z.ZodType>(text: string, file: string, schema: S): CheckedYaml<z.output<S>> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({
        file,
        // `linePos` is set only with prettyErrors, whose message runs to several lines: the line comes from `pos`.
        line: lines.linePos(error.pos[0]).line,
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
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, data: result.data };
  const errors = result.error.issues.flatMap((issue): RuleFileError[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
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
    const key = issue.code === 'custom' && typeof issue.params?.key === 'string' ? issue.params.key : undefined;
    if (key !== undefined) {
      const line = lineOf(doc, lines, issue.path, key);
      return [{ file, line, path: dotted([...issue.path, key]), message: issue.message }];
    }
    return [{ file, line: lineOf(doc, lines, issue.path), path: dotted(issue.path), message: issue.message }];
  });
  return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
}

/** Parses and checks one rule file's text. */
export function parseRuleFile(text: string, file: string): RuleFileResult {
  const result = checkYamlFile(text, file, ruleFileSchema);
  return result.ok ? { ok: true, prison: toPrison(result.data, contentHash(text), file) } : result;
}

/** An error as the checkers print it: `file:line: path: message`. */
export function formatError(error: RuleFileError): string {
  return `${error.file}:${error.line}: ${error.path}: ${error.message}`;
}
