// Rule files: the sample prisons, the checker's errors, the policy teams' example cases, hot reload, and the
// importer run over the earlier service's 132 prison files (read from ../shared at test time, never copied).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { bookableSlots, timesOn } from '../rules/calendar';
import { examplesFileFor, loadExamples, runExample } from '../rules/examples';
import { addDays, dayOfWeek } from '../rules/londonTime';
import { phoneHoursOf, wordPhoneTimes } from '../rules/phoneHours';
import type { PhoneTimes } from '../rules/prison';
import { importPvb } from '../rules/pvbImport';
import { RuleBook, ruleFileNames } from '../rules/ruleBook';
import { formatError, parseRuleFile } from '../rules/ruleFile';
import { ruleFileJsonSchema, weekdays } from '../rules/schema';
import { eventually, prison, rules } from './harness';

function rulesCli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/rules.ts', ...args], { encoding: 'utf8' });
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pvb-rules-')), name);
  writeFileSync(path, text);
  return path;
}

describe('the sample prisons', () => {
  const prisons = rules.list();

  it('all pass the checks, and differ in the ways that matter', () => {
    expect(ruleFileNames('rules/prisons').length).toBe(prisons.length);
    expect(prisons.length).toBeGreaterThanOrEqual(6);
    expect(prisons.some((p) => p.nameCy && p.adultAge === 16)).toBe(true);
    expect(prisons.some((p) => p.weekendProcessing)).toBe(true);
    expect(prisons.some((p) => p.closed)).toBe(true);
    expect(prisons.some((p) => p.private)).toBe(true);
    expect(prisons.some((p) => p.capacity)).toBe(true);
    expect(prisons.some((p) => p.eligibility.some((rule) => rule.event.type === 'closed_visit'))).toBe(true);
  });

  const cases = ruleFileNames('rules/prisons').flatMap((file) => {
    const examples = examplesFileFor('rules/prisons', file);
    return examples ? loadExamples(examples).map((example) => ({ file, example })) : [];
  });

  it.each(cases.map(({ file, example }) => [file, example.name, example] as const))(
    '%s: %s',
    async (file, _name, example) => {
      const prison = rules.list().find((p) => p.file === file);
      if (!prison) throw new Error(`no prison from ${file}`);
      const result = await runExample(prison, example);
      expect(result.actual).toEqual(result.expected);
    },
  );

  it('have example cases that `npm run rules -- test` runs and counts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const run = rulesCli('test');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`${cases.length} passed, 0 failed`);
  });
});

describe('rules -- check', () => {
  const bad = {
    'misspelt.yaml':
      'id: BAD\nname: HMP Bad\ncalendar:\n  weekend_procesing: true\n  recurring:\n    mon: [1400-1600]\n',
    'both.yaml':
      'id: BTH\nname: HMP Both\ncalendar:\n  recurring:\n    mon: [1400-1600]\n  anomalous:\n    2026-12-24: [1400-1500]\n  unbookable:\n    - 2026-12-25\n    - 2026-12-24\n',
    'backwards.yaml':
      'id: BKW\nname: HMP Backwards\ncalendar:\n  recurring:\n    tue:\n      - 1400-1600\n      - 1530-1400\n',
    'window.yaml': 'id: WIN\nname: HMP Window\ncalendar:\n  booking_window: 35\n  recurring:\n    mon: [1400-1600]\n',
  };
  const expected: Record<keyof typeof bad, RegExp> = {
    'misspelt.yaml':
      /misspelt\.yaml:4: calendar\.weekend_procesing: unknown key "weekend_procesing" \(did you mean "weekend_processing"\?\)/,
    'both.yaml': /both\.yaml:10: calendar\.unbookable\.1: 2026-12-24 is also an anomalous date/,
    'backwards.yaml': /backwards\.yaml:7: calendar\.recurring\.tue\.1: must end after it starts/,
    'window.yaml': /window\.yaml:4: calendar\.booking_window: must be 28 days or fewer/,
  };

  it.each(Object.keys(bad) as (keyof typeof bad)[])('names file, line and path for %s, and exits non-zero', (name) => {
    const run = rulesCli('check', tempFile(name, bad[name]));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(expected[name]);
  });

  it('passes the sample prisons', () => {
    const run = rulesCli('check');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.match(/: ok/g)).toHaveLength(ruleFileNames('rules/prisons').length);
  });

  it('refuses a file of aliases that would expand without end, rather than expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    const result = parseRuleFile(`${bomb}\nid: BOM\n`, 'bomb.yaml');
    // Refused for its aliases, before the schema (which would refuse it anyway, for its missing name and calendar).
    expect(result).toEqual({
      ok: false,
      errors: [{ file: 'bomb.yaml', line: 1, path: '(file)', message: expect.stringMatching(/^YAML: .*alias/i) }],
    });
  });

  it('reads a file that uses a few aliases, as editors write to repeat a block', () => {
    const plain = readFileSync('rules/prisons/northgate.yaml', 'utf8');
    const text = plain
      .replace('wed: [0930-1130, 1400-1600]', 'wed: &two-sessions [0930-1130, 1400-1600]')
      .replace('sat: [0930-1130, 1400-1600]', 'sat: *two-sessions');
    expect(text).toContain('sat: *two-sessions'); // the demo file still has the lines the test rewrites
    const result = parseRuleFile(text, 'aliases.yaml');
    const expected = parseRuleFile(plain, 'plain.yaml');
    if (!result.ok || !expected.ok) throw new Error(`not read: ${JSON.stringify(result)}`);
    expect(result.prison.recurring).toEqual(expected.prison.recurring);
    expect(result.prison.recurring.flat()).toHaveLength(6);
  });

  it('reports a YAML syntax error with its line', () => {
    const result = parseRuleFile('id: BAD\nname: [unclosed\n', 'syntax.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ file: 'syntax.yaml', path: '(file)' });
  });
});

describe('the visits booking line’s hours', () => {
  const times = (firstDay: PhoneTimes['firstDay'], lastDay: PhoneTimes['lastDay'], opens: string, closes: string) => ({
    firstDay,
    lastDay,
    opens,
    closes,
  });

  it.each([
    [
      [times('monday', 'friday', '09:00', '16:00')],
      'Monday to Friday, 9am to 4pm',
      'dydd Llun i ddydd Gwener, 9am i 4pm',
    ],
    [[times('monday', 'sunday', '09:00', '17:00')], 'every day, 9am to 5pm', 'bob dydd, 9am i 5pm'],
    [[times('saturday', 'saturday', '09:00', '12:00')], 'Saturday, 9am to midday', 'dydd Sadwrn, 9am i ganol dydd'],
    [
      [times('monday', 'thursday', '08:30', '17:30'), times('friday', 'friday', '12:00', '16:45')],
      'Monday to Thursday, 8:30am to 5:30pm and Friday, midday to 4:45pm',
      'dydd Llun i ddydd Iau, 8:30am i 5:30pm a dydd Gwener, canol dydd i 4:45pm',
    ],
    [
      [
        times('monday', 'friday', '09:00', '17:00'),
        times('saturday', 'saturday', '10:00', '12:00'),
        times('sunday', 'sunday', '18:00', '23:59'),
      ],
      'Monday to Friday, 9am to 5pm; Saturday, 10am to midday and Sunday, 6pm to 11:59pm',
      'dydd Llun i ddydd Gwener, 9am i 5pm; dydd Sadwrn, 10am i ganol dydd a dydd Sul, 6pm i 11:59pm',
    ],
  ] as const)('are worded in English and in Welsh: %j', (given, english, welsh) => {
    expect(wordPhoneTimes([...given], 'en')).toBe(english);
    expect(wordPhoneTimes([...given], 'cy')).toBe(welsh);
  });

  it('are worded from the sample prisons’ files, and in Welsh never in English', () => {
    expect(phoneHoursOf(prison('NGT'), 'en')).toBe('Monday to Friday, 9am to 4pm');
    expect(phoneHoursOf(prison('AFL'), 'cy')).toBe('dydd Llun i ddydd Gwener, 10am i 3pm');
    expect(phoneHoursOf(prison('SLT'), 'en')).toBe('Monday to Friday, 9am to midday');
    for (const each of rules.list()) {
      const welsh = phoneHoursOf(each, 'cy');
      if (welsh) expect(welsh, each.id).not.toMatch(/day|am to|pm to/);
    }
  });

  const head = 'id: TIM\nname: HMP Times\ncalendar:\n  recurring:\n    mon: [1400-1600]\n';
  const errorsOf = (text: string) => {
    const result = parseRuleFile(head + text, 'times.yaml');
    return result.ok ? [] : result.errors.map(formatError);
  };

  it('keep free text only in both languages, naming the field that is missing', () => {
    expect(errorsOf('phone_hours: Monday to Friday, 9am to 4pm (not bank holidays)\n')).toEqual([
      'times.yaml:6: phone_hours: needs phone_hours_cy, the same in Welsh: give the Welsh as well, or use phone_times',
    ]);
    expect(errorsOf('phone_hours_cy: dydd Llun i ddydd Gwener\n')).toEqual([
      'times.yaml:6: phone_hours_cy: is the Welsh of phone_hours, which is missing',
    ]);
    const both = errorsOf(
      "phone_hours: weekdays\nphone_hours_cy: yn ystod yr wythnos\nphone_times: [{ first_day: monday, opens: '09:00', closes: '16:00' }]\n",
    );
    expect(both).toEqual(['times.yaml:6: phone_hours: give phone_times or phone_hours, not both']);
    const free = parseRuleFile(
      head + 'phone_hours: weekdays, not bank holidays\nphone_hours_cy: dyddiau’r wythnos, nid gwyliau banc\n',
      'free.yaml',
    );
    if (!free.ok) throw new Error(JSON.stringify(free.errors));
    expect(phoneHoursOf(free.prison, 'cy')).toBe('dyddiau’r wythnos, nid gwyliau banc');
    expect(phoneHoursOf(free.prison, 'en')).toBe('weekdays, not bank holidays');
  });

  it('refuse times that are not HH:MM, that close before they open, and days that run backwards', () => {
    const line = (entry: string) => errorsOf(`phone_times:\n  - ${entry}\n`);
    expect(line("{ first_day: monday, opens: '9am', closes: '16:00' }")).toEqual([
      'times.yaml:7: phone_times.0.opens: must be HH:MM in 24-hour time, for example 09:00',
    ]);
    expect(line("{ first_day: monday, opens: '16:00', closes: '09:00' }")).toEqual([
      'times.yaml:7: phone_times.0.closes: must be after opens (16:00)',
    ]);
    expect(line("{ first_day: friday, last_day: monday, opens: '09:00', closes: '16:00' }")).toEqual([
      'times.yaml:7: phone_times.0.last_day: must come after first_day (friday) in a week from Monday to Sunday; leave it out for one day',
    ]);
    expect(line("{ first_day: mon, opens: '09:00', closes: '16:00' }")[0]).toMatch(
      /phone_times\.0\.first_day: .*monday/,
    );
  });
});

describe('the JSON Schema for editors', () => {
  it('is up to date with the zod schema (`npm run rules -- schema`)', () => {
    const saved = JSON.parse(readFileSync('rules/rule-file.schema.json', 'utf8'));
    expect(saved).toEqual(JSON.parse(JSON.stringify(ruleFileJsonSchema())));
    expect(saved.additionalProperties).toBe(false);
  });
});

describe('hot reload', () => {
  it('puts a changed valid file in force, refuses an invalid one and keeps the last good version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvb-reload-'));
    cpSync('rules/prisons/afon-las.yaml', join(dir, 'afon-las.yaml'));
    const logged: string[] = [];
    const book = new RuleBook(dir, (level, message) => logged.push(`${level} ${message}`)).watch();
    try {
      const first = book.get('AFL');
      expect(first?.leadDays).toBe(2);
      const text = readFileSync(join(dir, 'afon-las.yaml'), 'utf8');
      writeFileSync(join(dir, 'afon-las.yaml'), text.replace('lead_days: 2', 'lead_days: 4'));
      const second = await eventually(async () => (book.get('AFL')?.leadDays === 4 ? book.get('AFL') : undefined));
      expect(second.version).not.toBe(first?.version);

      writeFileSync(join(dir, 'afon-las.yaml'), text.replace('lead_days: 2', 'lead_dayz: 5'));
      await eventually(async () => (logged.some((line) => line.startsWith('error')) ? true : undefined));
      expect(book.get('AFL')).toBe(second);
    } finally {
      book.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const pvbDir = join(import.meta.dirname, '../../shared/data/pvb-prisons');

// A clone on its own has no ../shared beside it: these tests are skipped then, saying why.
const hasPvbFiles = existsSync(pvbDir);
if (!hasPvbFiles) console.warn(`ruleFiles.test.ts: ${pvbDir} is not there, so the PVB import tests are skipped`);

describe.skipIf(!hasPvbFiles)('the earlier service’s 132 prison files', () => {
  const files = hasPvbFiles ? readdirSync(pvbDir).filter((f) => f.endsWith('.yml')) : [];

  it('are all there to test against', () => {
    expect(files).toHaveLength(132);
  });

  it('all import into rule files that pass the checks', () => {
    const ids = new Set<string>();
    for (const file of files) {
      const result = importPvb(readFileSync(join(pvbDir, file), 'utf8'), file, ids);
      ids.add(result.id);
      expect(result.errors, file).toEqual([]);
    }
    expect(ids.size).toBe(132);
  });

  it('keep their calendars over a year: anomalous dates replace, unbookable dates remove', () => {
    const ids = new Set<string>();
    let checkedDays = 0;
    for (const file of files) {
      const source = readFileSync(join(pvbDir, file), 'utf8');
      const raw = parse(source) as {
        recurring?: Record<string, string[] | null>;
        anomalous?: Record<string, string[] | null>;
        unbookable?: string[];
      };
      const imported = importPvb(source, file, ids);
      ids.add(imported.id);
      const parsed = parseRuleFile(imported.text, file);
      if (!parsed.ok) throw new Error(`${file} does not parse`);
      const prison = parsed.prison;
      const unbookable = new Set((raw.unbookable ?? []).map(String));
      const anomalous = raw.anomalous ?? {};
      const expectedTimes = (date: string) => {
        if (unbookable.has(date)) return [];
        const list = date in anomalous ? anomalous[date] : raw.recurring?.[weekdays[dayOfWeek(date)]];
        return (list ?? []).map((time) => String(time).trim()).sort();
      };
      const asRanges = (times: string[]) =>
        times.map((t) => `${t.slice(0, 2)}${t.slice(3, 5)}-${t.slice(6, 8)}${t.slice(9, 11)}`);

      const special = [...unbookable, ...Object.keys(anomalous)];
      const latest = special.sort().at(-1);
      const year = latest ? latest.slice(0, 4) : '2024';
      const days = new Set([...special]);
      for (let date = `${year}-01-01`; date <= `${year}-12-31`; date = addDays(date, 1)) days.add(date);
      for (const date of days) {
        expect(asRanges(timesOn(prison, date)), `${file} ${date}`).toEqual(expectedTimes(date));
        checkedDays++;
      }
      // Slots bookable on each Monday of the year fall only on days with those times.
      for (let today = `${year}-01-05`; today <= `${year}-12-31`; today = addDays(today, 7)) {
        for (const slot of bookableSlots(prison, today)) {
          const date = slot.slice(0, 10);
          expect(unbookable.has(date), `${file}: slot on unbookable ${date}`).toBe(false);
          expect(expectedTimes(date)).toContain(asRanges([slot.slice(11)])[0]);
        }
      }
    }
    expect(checkedDays).toBeGreaterThan(132 * 365);
  });
});
