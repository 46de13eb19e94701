// A national estate for the benchmark: the demo prisons' rule files copied under many prisons' codes, in a folder of
// the run's own, so that requests, queues and searches spread over prisons as they would across the country.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const demo = resolve(import.meta.dirname, '../rules/prisons');
/** Open demo prisons of different kinds: eligibility rules; weekend processing; slot capacities. */
const MODELS = ['northgate.yaml', 'westmoor.yaml', 'saltmarsh.yaml'];

/** Writes `count` rule files into `dir` (codes QAA, QAB, ...) and returns their prison codes. */
export function writeEstate(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const code = `Q${String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26))}`;
    const model = MODELS[i % MODELS.length];
    const text = readFileSync(join(demo, model), 'utf8')
      .replace(/^id: .*$/m, `id: ${code}`)
      .replace(/^name: .*$/m, `name: HMP Bench ${code}`);
    writeFileSync(join(dir, `${code.toLowerCase()}.yaml`), text);
    codes.push(code);
  }
  return codes;
}
