// Finds import cycles between our own files (type imports included: they tie modules together for a reader just
// the same) and fails if there is one. `npm run lint` runs it; `npx tsx tools/importCycles.ts` alone prints them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const folders = ['rules', 'workflows', 'activities', 'api', 'ui', 'scripts', 'bench', 'tools', 'test'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'artefacts' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative import names, as TypeScript and Node would find it. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.mts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

const files = folders.filter((folder) => existsSync(join(root, folder))).flatMap((f) => sourceFiles(join(root, f)));
const imports = new Map<string, string[]>();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const targets = importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolveImport(file, name))
    .filter((path): path is string => path !== undefined);
  imports.set(file, targets);
}

// Depth-first search; a file met again while still on the path closes a cycle.
const cycles: string[][] = [];
const done = new Set<string>();
const path: string[] = [];
function visit(file: string): void {
  const at = path.indexOf(file);
  if (at >= 0) return void cycles.push([...path.slice(at), file]);
  if (done.has(file)) return;
  path.push(file);
  for (const target of imports.get(file) ?? []) visit(target);
  path.pop();
  done.add(file);
}
for (const file of files) visit(file);

for (const cycle of cycles) console.log(`import cycle: ${cycle.map((file) => relative(root, file)).join(' → ')}`);
console.log(`${files.length} files, ${cycles.length} import cycle${cycles.length === 1 ? '' : 's'}`);
process.exitCode = cycles.length > 0 ? 1 : 0;
