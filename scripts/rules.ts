// Rule files from the command line, for policy teams:
//   npm run rules -- check [files...]              every error with file, line and path; exits 1 on any. With no
//                                                  files: every rule file, and assisted-digital.yaml beside the
//                                                  prisons' folder if it is there (its prison ids must be the rule
//                                                  files'); a file named assisted-digital.yaml is read as settings
//   npm run rules -- test                          runs the example cases beside each rule file
//   npm run rules -- explain <prison> <case.json>  which rules fire for a sample case, and why
//   npm run rules -- import-pvb <dir> --out <dir>  converts the earlier service's prison files
//   npm run rules -- schema                        writes rules/rule-file.schema.json and
//                                                  rules/assisted-digital.schema.json for editors
// --dir <dir> reads the prisons' rule files from <dir> instead of RULES_DIR (rules/prisons).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import {
  assistedSettingsFileName,
  assistedSettingsJsonSchema,
  assistedSettingsPath,
  parseAssistedSettings,
} from '../rules/assistedDigital';
import { evaluateEligibility, type RuleTrace } from '../rules/eligibility';
import { examplesFileFor, inputFromCase, loadExamples, runExample, sampleCase } from '../rules/examples';
import type { Prison } from '../rules/prison';
import { importPvb } from '../rules/pvbImport';
import { RuleBook, ruleFileNames } from '../rules/ruleBook';
import { formatError, parseRuleFile } from '../rules/ruleFile';
import { ruleFileJsonSchema } from '../rules/schema';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, dir: { type: 'string' } },
});
const [command, ...args] = positionals;
const rulesDir = values.dir ?? loadConfig().rulesDir;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function loadPrison(path: string): Prison {
  const result = parseRuleFile(readFileSync(path, 'utf8'), basename(path));
  if (!result.ok) {
    result.errors.forEach((error) => console.error(formatError({ ...error, file: path })));
    process.exit(1);
  }
  return result.prison;
}

/** A prison named by its id, or a rule file named by its path. */
function prisonFor(name: string): Prison {
  if (name.endsWith('.yaml')) return loadPrison(name);
  return new RuleBook(rulesDir).get(name.toUpperCase()) ?? fail(`no valid rule file in ${rulesDir} for prison ${name}`);
}

function check(files: string[]): number {
  const settings = assistedSettingsPath(rulesDir);
  const paths = files.length
    ? files
    : [...ruleFileNames(rulesDir).map((file) => join(rulesDir, file)), ...(existsSync(settings) ? [settings] : [])];
  const isSettings = (path: string) => basename(path) === assistedSettingsFileName;
  const ids = new Map<string, string>();
  let failed = 0;
  for (const path of paths.filter((p) => !isSettings(p))) {
    const result = parseRuleFile(readFileSync(path, 'utf8'), path);
    if (!result.ok) {
      failed++;
      result.errors.forEach((error) => console.error(formatError(error)));
      continue;
    }
    const other = ids.get(result.prison.id);
    if (other) {
      failed++;
      console.error(`${path}:1: id: ${result.prison.id} is already the id in ${other}`);
    }
    ids.set(result.prison.id, path);
    console.log(`${path}: ok (${result.prison.id}, version ${result.prison.version})`);
  }
  const settingsPaths = paths.filter(isSettings);
  // A settings file's prisons are those of the rule book, and of any rule file named with it.
  const prisonIds = settingsPaths.length
    ? [...new Set([...ids.keys(), ...new RuleBook(rulesDir).list().map((prison) => prison.id)])]
    : [];
  for (const path of settingsPaths) {
    const result = parseAssistedSettings(readFileSync(path, 'utf8'), path, prisonIds);
    if (!result.ok) {
      failed++;
      result.errors.forEach((error) => console.error(formatError(error)));
      continue;
    }
    const channels = Object.keys(result.settings.channels);
    console.log(
      `${path}: assisted-digital settings pass (${channels.length} channels: ${channels.join(', ')}; version ${result.settings.version})`,
    );
  }
  return failed ? 1 : 0;
}

function printTrace(trace: RuleTrace[]): void {
  if (trace.length === 0) console.log('  (this prison has no eligibility rules)');
  for (const rule of trace) {
    console.log(
      `  ${rule.fired ? 'FIRES  ' : 'no     '} ${rule.rule} → ${rule.event.type}: ${rule.event.params.explanation}`,
    );
    for (const condition of rule.conditions) {
      console.log(
        `           ${condition.result ? '✓' : '✗'} ${condition.test} (is ${JSON.stringify(condition.actual)})`,
      );
    }
  }
}

async function test(): Promise<number> {
  let failed = 0;
  let passed = 0;
  for (const file of ruleFileNames(rulesDir)) {
    const examples = examplesFileFor(rulesDir, file);
    if (!examples) continue;
    const prison = loadPrison(join(rulesDir, file));
    for (const example of loadExamples(examples)) {
      const result = await runExample(prison, example);
      if (result.passed) {
        passed++;
        console.log(`✓ ${prison.id}: ${example.name}`);
      } else {
        failed++;
        console.log(`✗ ${prison.id}: ${example.name}`);
        console.log(`    expected ${JSON.stringify(result.expected)}\n    got      ${JSON.stringify(result.actual)}`);
        printTrace(result.trace);
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

async function explain(prisonName: string | undefined, casePath: string | undefined): Promise<number> {
  if (!prisonName || !casePath) fail('usage: npm run rules -- explain <prison id or rule file> <case.json>');
  const prison = prisonFor(prisonName);
  const parsed = sampleCase.safeParse(JSON.parse(readFileSync(casePath, 'utf8')));
  if (!parsed.success)
    fail(parsed.error.issues.map((i) => `${casePath}: ${i.path.join('.')}: ${i.message}`).join('\n'));
  const { eligibility, trace } = await evaluateEligibility(prison, inputFromCase(prison, parsed.data));
  console.log(`${prison.name} (${prison.id}), rule file ${prison.file} version ${prison.version}`);
  printTrace(trace);
  console.log('Outcome:');
  for (const r of eligibility.rejections) console.log(`  rejected (${r.reason}) by ${r.rule}: ${r.explanation}`);
  for (const f of eligibility.flags) console.log(`  flagged ${f.flag} by ${f.rule}: ${f.explanation}`);
  if (eligibility.closedVisit)
    console.log(`  closed visit, by ${eligibility.closedVisit.rule}: ${eligibility.closedVisit.explanation}`);
  if (!eligibility.rejections.length && !eligibility.flags.length && !eligibility.closedVisit) {
    console.log('  goes to staff with nothing to note');
  }
  return 0;
}

function importAll(dir: string | undefined): number {
  if (!dir || !values.out) fail('usage: npm run rules -- import-pvb <dir of .yml files> --out <dir>');
  mkdirSync(values.out, { recursive: true });
  let failed = 0;
  const ids = new Set<string>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    let result;
    try {
      result = importPvb(readFileSync(join(dir, file), 'utf8'), file, ids);
      ids.add(result.id);
    } catch (error) {
      failed++;
      console.log(`${file}: cannot be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      continue;
    }
    const target = join(values.out, `${file.replace(/\.yml$/, '')}.yaml`.toLowerCase());
    writeFileSync(target, result.text);
    console.log(`${file} → ${target}${result.errors.length ? ' (does not pass check)' : ''}`);
    for (const note of result.notes) console.log(`    ${note}`);
    for (const error of result.errors) console.log(`    ${formatError(error)}`);
    if (result.errors.length) failed++;
  }
  return failed ? 1 : 0;
}

function writeSchema(): number {
  const schemas = {
    'rule-file.schema.json': ruleFileJsonSchema(),
    'assisted-digital.schema.json': assistedSettingsJsonSchema(),
  };
  for (const [name, schema] of Object.entries(schemas)) {
    const path = join(dirname(new URL(import.meta.url).pathname), '../rules', name);
    writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote ${path}`);
  }
  return 0;
}

switch (command) {
  case 'check':
    process.exitCode = check(args);
    break;
  case 'test':
    process.exitCode = await test();
    break;
  case 'explain':
    process.exitCode = await explain(args[0], args[1]);
    break;
  case 'import-pvb':
    process.exitCode = importAll(args[0]);
    break;
  case 'schema':
    process.exitCode = writeSchema();
    break;
  default:
    fail(
      'usage: npm run rules -- check [files...] | test | explain <prison> <case.json> | import-pvb <dir> --out <dir> | schema',
    );
}
