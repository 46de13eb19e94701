// The assisted-digital settings: the demo file, which numbers apply where, and the checker naming the file, line and
// field of each kind of mistake, as it does for a rule file.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assistedSettingsJsonSchema,
  assistedSettingsPath,
  channelSettings,
  loadAssistedSettings,
  organisationOf,
  parseAssistedSettings,
  requiredChannels,
} from '../rules/assistedDigital';
import { RuleBook } from '../rules/ruleBook';

const prisonIds = new RuleBook('rules/prisons').list().map((prison) => prison.id);

function rulesCli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/rules.ts', ...args], { encoding: 'utf8' });
}

// Line numbers matter: the tests below name them.
const small = [
  'capacity_warning_share: 0.8', // 1
  'channels:', // 2
  '  phone:', // 3
  '    name: Phone line', // 4
  '    cost_per_minute: 0.85', // 5
  '    expected_requests_per_month: 120', // 6
  '    minutes_per_request: 12', // 7
  '    capacity_minutes_per_week: 2400', // 8
  '    prisons:', // 9
  '      AFL: { capacity_minutes_per_week: 600 }', // 10
  '  in_person: { name: Visitor centre, cost_per_minute: 1.9, expected_requests_per_month: 40, minutes_per_request: 20, capacity_minutes_per_week: 900 }', // 11
  '  email: { name: Email, cost_per_minute: 0.6, expected_requests_per_month: 25, minutes_per_request: 8, capacity_minutes_per_week: 600 }', // 12
  '  post: { name: Post, cost_per_minute: 0.7, expected_requests_per_month: 10, minutes_per_request: 10, capacity_minutes_per_week: 300 }', // 13
  '  web_helper: { name: Helper, cost_per_minute: 0.75, expected_requests_per_month: 60, minutes_per_request: 15, capacity_minutes_per_week: 1500 }', // 14
].join('\n');

/** The small file with one line changed: `small` must contain `from`, so a test cannot pass by missing its mistake. */
function withMistake(from: string, to: string): string {
  expect(small).toContain(from);
  return `${small.replace(from, to)}\n`;
}

const errorsOf = (text: string) => {
  const result = parseAssistedSettings(text, 'settings.yaml', prisonIds);
  return result.ok ? [] : result.errors;
};

describe('the demo settings', () => {
  it('pass the checks, with every channel the staff form offers and prices like GOV.UK’s assisted digital', () => {
    const result = loadAssistedSettings('rules/prisons', prisonIds);
    if (!result?.ok) throw new Error(JSON.stringify(result));
    const { settings } = result;
    expect(settings.file).toBe(assistedSettingsPath('rules/prisons'));
    expect(Object.keys(settings.channels)).toEqual(expect.arrayContaining([...requiredChannels]));
    expect(settings.channels.phone.costPerMinute).toBeGreaterThanOrEqual(0.5);
    expect(settings.channels.phone.costPerMinute).toBeLessThanOrEqual(1.5);
    expect(settings.channels.in_person.costPerMinute).toBeGreaterThan(settings.channels.phone.costPerMinute);
    // Some demo prisons and organisations differ from their channel's numbers.
    const overridden = Object.values(settings.channels).flatMap((channel) => Object.keys(channel.prisons));
    expect(new Set(overridden).size).toBeGreaterThanOrEqual(3);
    expect(Object.keys(settings.channels.web_helper.organisations).length).toBeGreaterThanOrEqual(1);
  });

  it('are checked by `npm run rules -- check`, with the rule files', () => {
    const run = rulesCli('check');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/rules\/assisted-digital\.yaml: assisted-digital settings pass \(5 channels/);
  });

  it('are none when the file is not there', () => {
    expect(loadAssistedSettings(join(mkdtempSync(join(tmpdir(), 'pvb-assisted-')), 'prisons'))).toBeUndefined();
  });
});

describe('the numbers for a request', () => {
  const text = [
    'channels:',
    '  web_helper:',
    '    name: Helper organisation',
    '    cost_per_minute: 0.75',
    '    expected_requests_per_month: 60',
    '    minutes_per_request: 15',
    '    capacity_minutes_per_week: 1500',
    '    prisons:',
    '      NGT: { cost_per_minute: 0.7, capacity_minutes_per_week: 900 }',
    '    organisations:',
    '      Citizens Advice Northgate:',
    '        { cost_per_minute: 0.5, minutes_per_request: 25, expected_requests_per_month: 35, capacity_minutes_per_week: 900 }',
    ...requiredChannels
      .filter((code) => code !== 'web_helper')
      .map(
        (code) =>
          `  ${code}: { name: ${code}, cost_per_minute: 1, expected_requests_per_month: 1, minutes_per_request: 1, capacity_minutes_per_week: 1 }`,
      ),
  ].join('\n');
  const result = parseAssistedSettings(text, 'settings.yaml', prisonIds);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const { settings } = result;
  const numbers = (where: { prisonId?: string; organisation?: string }) => {
    const found = channelSettings(settings, 'web_helper', where);
    return (
      found && [
        found.costPerMinute,
        found.expectedRequestsPerMonth,
        found.minutesPerRequest,
        found.capacityMinutesPerWeek,
      ]
    );
  };

  it('are the channel’s where no prison or organisation differs', () => {
    expect(numbers({})).toEqual([0.75, 60, 15, 1500]);
    expect(numbers({ prisonId: 'WMR', organisation: 'Another charity' })).toEqual([0.75, 60, 15, 1500]);
  });

  it('are the prison’s where it sets them, and the channel’s where it does not', () => {
    expect(numbers({ prisonId: 'NGT' })).toEqual([0.7, 60, 15, 900]);
  });

  it('are the organisation’s over the prison’s, whatever case staff typed its name in', () => {
    expect(numbers({ prisonId: 'NGT', organisation: 'citizens advice northgate ' })).toEqual([0.5, 35, 25, 900]);
    expect(numbers({ organisation: 'Citizens Advice Northgate' })).toEqual([0.5, 35, 25, 900]);
    expect(organisationOf(settings, 'web_helper', ' CITIZENS advice   Northgate')).toBe('Citizens Advice Northgate');
    expect(organisationOf(settings, 'web_helper', 'Citizens Advice')).toBeUndefined();
    expect(organisationOf(settings, 'phone', 'Citizens Advice Northgate')).toBeUndefined();
  });

  it('are none for a channel the settings do not have', () => {
    expect(channelSettings(settings, 'fax')).toBeUndefined();
    expect(channelSettings(settings, 'web_helper')?.name).toBe('Helper organisation');
  });
});

describe('a mistake in the settings', () => {
  it('is not there in the small file the tests change', () => {
    expect(errorsOf(small)).toEqual([]);
  });

  // [the mistake, the text it changes, the text it writes instead, the line, field and message of its error]
  const mistakes: [string, string, string, number, string, string][] = [
    [
      'a cost of less than 0',
      'cost_per_minute: 0.85',
      'cost_per_minute: -0.85',
      5,
      'channels.phone.cost_per_minute',
      'must be more than 0',
    ],
    [
      'words where a number belongs',
      'capacity_minutes_per_week: 2400',
      'capacity_minutes_per_week: lots',
      8,
      'channels.phone.capacity_minutes_per_week',
      'Invalid input: expected number, received string',
    ],
    [
      'a fraction of a request',
      'expected_requests_per_month: 40',
      'expected_requests_per_month: 40.5',
      11,
      'channels.in_person.expected_requests_per_month',
      'must be a whole number',
    ],
    [
      'no minutes for a request',
      'minutes_per_request: 12',
      'minutes_per_request: 0',
      7,
      'channels.phone.minutes_per_request',
      'must be 1 or more',
    ],
    [
      'an unknown key',
      '    prisons:',
      '    prison:',
      9,
      'channels.phone.prison',
      'unknown key "prison" (did you mean "prisons"?)',
    ],
    [
      'a prison no rule file has',
      'AFL:',
      'AFK:',
      10,
      'channels.phone.prisons.AFK',
      'unknown prison id "AFK": no rule file has it (did you mean "AFL"?)',
    ],
    [
      'a YAML syntax error',
      'cost_per_minute: 0.85',
      'cost_per_minute: 0.85: 1',
      5,
      '(file)',
      'YAML: Nested mappings are not allowed in compact mappings',
    ],
    [
      'a key written twice',
      '    name: Phone line',
      '    name: Phone line\n    name: Phone',
      5,
      '(file)',
      'YAML: Map keys must be unique',
    ],
  ];

  it.each(mistakes)('%s names the file, its line and field', (_mistake, from, to, line, path, message) => {
    expect(errorsOf(withMistake(from, to))).toEqual([{ file: 'settings.yaml', line, path, message }]);
  });

  it('a prison id is checked for its form alone when there is no rule book to check it against', () => {
    expect(parseAssistedSettings(withMistake('AFL:', 'AFK:'), 'settings.yaml').ok).toBe(true);
    const lower = parseAssistedSettings(withMistake('AFL:', 'afl:'), 'settings.yaml');
    expect(lower.ok ? [] : lower.errors.map((e) => [e.line, e.path])).toEqual([[10, 'channels.phone.prisons.afl']]);
  });

  it('a channel left out names the channels line', () => {
    const text = withMistake(small.split('\n')[12], '  postal: { name: Post }');
    expect(errorsOf(text)).toEqual([
      {
        file: 'settings.yaml',
        line: 2,
        path: 'channels.post',
        message: 'is missing: every settings file has phone, in_person, email, post, web_helper',
      },
      ...['cost_per_minute', 'expected_requests_per_month', 'minutes_per_request', 'capacity_minutes_per_week'].map(
        (field) => ({
          file: 'settings.yaml',
          line: 13,
          path: `channels.postal.${field}`,
          message: 'Invalid input: expected number, received undefined',
        }),
      ),
    ]);
  });

  it('a channel called web names its line: that is the visitors’ own form, not a way of helping', () => {
    const text = withMistake(
      '  email:',
      '  web: { name: Web, cost_per_minute: 1, expected_requests_per_month: 1, minutes_per_request: 1, capacity_minutes_per_week: 1 }\n  email:',
    );
    expect(errorsOf(text).map((e) => [e.line, e.path, e.message])).toEqual([
      [
        12,
        'channels.web',
        'is the visitors’ own web form, not a way of helping them: web_helper is a helper on the web form',
      ],
    ]);
  });

  it('a helper organisation names its line for a missing estimate, an unknown prison or a name given twice', () => {
    const helper = [
      '  web_helper:', // 14
      '    name: Helper',
      '    cost_per_minute: 0.75',
      '    expected_requests_per_month: 60',
      '    minutes_per_request: 15',
      '    capacity_minutes_per_week: 1500',
      '    organisations:', // 20
      '      Citizens Advice: { prisons: [NGT, XYZ], expected_requests_per_month: 5, capacity_minutes_per_week: 60 }', // 21
      '      citizens  ADVICE: { expected_requests_per_month: 5, capacity_minutes_per_week: 60 }', // 22
      '      Families Outside: { cost_per_minute: 0.6 }', // 23
    ];
    const text = withMistake(small.split('\n')[13], helper.join('\n'));
    expect(errorsOf(text).map((e) => [e.line, e.path, e.message])).toEqual([
      [
        21,
        'channels.web_helper.organisations.Citizens Advice.prisons.1',
        'unknown prison id "XYZ": no rule file has it',
      ],
      [
        22,
        'channels.web_helper.organisations.citizens  ADVICE',
        'is the same name as "Citizens Advice": names are matched whatever their case and spacing',
      ],
      [
        23,
        'channels.web_helper.organisations.Families Outside.expected_requests_per_month',
        'Invalid input: expected number, received undefined',
      ],
      [
        23,
        'channels.web_helper.organisations.Families Outside.capacity_minutes_per_week',
        'Invalid input: expected number, received undefined',
      ],
    ]);
  });

  it('a channel code that is not snake_case names its line', () => {
    const text = withMistake('  email:', '  E-mail:');
    expect(errorsOf(text).map((e) => [e.line, e.path, e.message])).toEqual([
      [2, 'channels.email', 'is missing: every settings file has phone, in_person, email, post, web_helper'],
      [12, 'channels.E-mail', 'is not a channel code: lower-case words joined by _, like web_helper'],
    ]);
  });

  it('a file of aliases that would expand without end is refused, not expanded', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(errorsOf(bomb)).toEqual([
      { file: 'settings.yaml', line: 1, path: '(file)', message: expect.stringMatching(/^YAML: .*alias/i) },
    ]);
  });
});

describe('rules -- check on the settings', () => {
  // A rules folder of its own: one prison, Afon Las, and the settings beside its prisons folder.
  function rulesDir(settings: string): { dir: string; settingsPath: string } {
    const root = mkdtempSync(join(tmpdir(), 'pvb-assisted-'));
    mkdirSync(join(root, 'prisons'));
    cpSync('rules/prisons/afon-las.yaml', join(root, 'prisons', 'afon-las.yaml'));
    writeFileSync(join(root, 'assisted-digital.yaml'), settings);
    return { dir: join(root, 'prisons'), settingsPath: join(root, 'assisted-digital.yaml') };
  }

  it('prints file:line path: message for each mistake and exits 1', () => {
    const { dir, settingsPath } = rulesDir(withMistake('cost_per_minute: 0.85', 'cost_per_minute: -0.85'));
    const run = rulesCli('check', '--dir', dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`${join(dir, 'afon-las.yaml')}: ok (AFL`);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${settingsPath}:5: channels.phone.cost_per_minute: must be more than 0`,
    ]);
  });

  it('checks prisons against the rule book of --dir: the demo settings name prisons this one lacks', () => {
    const { dir, settingsPath } = rulesDir(readFileSync('rules/assisted-digital.yaml', 'utf8'));
    const run = rulesCli('check', settingsPath, '--dir', dir);
    expect(run.status).toBe(1);
    const demo = readFileSync('rules/assisted-digital.yaml', 'utf8').split('\n');
    const ngt = demo.findIndex((line) => line.trim().startsWith('NGT:')) + 1;
    expect(run.stderr).toContain(
      `${settingsPath}:${ngt}: channels.phone.prisons.NGT: unknown prison id "NGT": no rule file has it\n`,
    );
    expect(run.stderr).not.toContain('prisons.AFL');
  });

  it('passes a good copy named on the command line', () => {
    const run = rulesCli('check', 'rules/assisted-digital.yaml');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^rules\/assisted-digital\.yaml: assisted-digital settings pass/);
  });
});

describe('the settings’ JSON Schema for editors', () => {
  it('is up to date with the zod schema (`npm run rules -- schema`), and asks for the five channels', () => {
    const saved = JSON.parse(readFileSync('rules/assisted-digital.schema.json', 'utf8'));
    expect(saved).toEqual(JSON.parse(JSON.stringify(assistedSettingsJsonSchema())));
    expect(saved.additionalProperties).toBe(false);
    expect(saved.properties.channels.required).toEqual([...requiredChannels]);
  });
});
