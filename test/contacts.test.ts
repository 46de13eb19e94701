// The visitors of a request against the prisoner's approved contacts, and the prisoner's visiting orders: who is on
// the list (exactly, nearly, or not at all), bans and closed visits on the dates asked for, and what eligibility
// makes of them, at every prison and in a prison's own rules. Pure: no servers.
import { describe, expect, it } from 'vitest';
import { checkVisitors, editDistance, foldName, type Visitor } from '../rules/contacts';
import { evaluateEligibility, type EligibilityInput, type PrisonerRecord } from '../rules/eligibility';
import type { Contact } from '../rules/prisonerRecord';
import { parseRuleFile } from '../rules/ruleFile';

const contact = (fields: Partial<Contact> & Pick<Contact, 'firstName' | 'lastName'>): Contact => ({
  id: `C-${fields.firstName}`,
  dateOfBirth: '1985-03-12',
  relationship: 'sister',
  approved: true,
  restrictions: [],
  ...fields,
});

const jane: Visitor = { firstName: 'Jane', lastName: 'Smith', dateOfBirth: '1985-03-12' };
const janeOnRecord = contact({ id: 'C1', firstName: 'Jane', lastName: 'Smith' });
const VISIT_DAY = '2027-02-10';

describe('a visitor against the prisoner’s contacts', () => {
  it('matches exactly, with the contact’s id and relationship', () => {
    expect(checkVisitors([jane], [janeOnRecord], [VISIT_DAY])).toEqual([
      { match: 'exact', contactId: 'C1', relationship: 'sister' },
    ]);
  });

  it('matches exactly whatever the case, spacing, accents or kind of apostrophe', () => {
    const record = contact({ id: 'C2', firstName: 'Siân', lastName: 'O’Brien-Jones' });
    const typed = { firstName: '  sian ', lastName: "o'brien  -  JONES", dateOfBirth: '1985-03-12' };
    expect(checkVisitors([typed], [record], [VISIT_DAY])[0]).toMatchObject({ match: 'exact', contactId: 'C2' });
    expect(foldName('  Mary   Ann ')).toBe('mary ann');
  });

  it('nearly matches a name with a typo, and says what differs', () => {
    const record = contact({ id: 'C3', firstName: 'John', lastName: 'Smith' });
    const [check] = checkVisitors([{ ...jane, firstName: 'Jon' }], [record], [VISIT_DAY]);
    expect(check).toMatchObject({
      match: 'near',
      contactId: 'C3',
      differences: [{ field: 'firstName', given: 'Jon', onRecord: 'John' }],
    });
  });

  it('nearly matches a date of birth with its day and month swapped, or one part wrong', () => {
    const swapped = checkVisitors([{ ...jane, dateOfBirth: '1985-12-03' }], [janeOnRecord], [VISIT_DAY])[0];
    expect(swapped).toMatchObject({
      match: 'near',
      differences: [{ field: 'dateOfBirth', given: '1985-12-03', onRecord: '1985-03-12' }],
    });
    const yearOff = checkVisitors([{ ...jane, dateOfBirth: '1958-03-12' }], [janeOnRecord], [VISIT_DAY])[0];
    expect(yearOff.match).toBe('near');
  });

  it('takes a contact with no date of birth on record as near, never exact', () => {
    const record = contact({ id: 'C4', firstName: 'Jane', lastName: 'Smith', dateOfBirth: undefined });
    expect(checkVisitors([jane], [record], [VISIT_DAY])[0]).toMatchObject({
      match: 'near',
      differences: [{ field: 'dateOfBirth', given: '1985-03-12' }],
    });
    // The same names with the date of birth on record win, wherever they are on the list.
    expect(checkVisitors([jane], [record, janeOnRecord], [VISIT_DAY])[0]).toMatchObject({ match: 'exact' });
  });

  it('finds nobody for another person: a different surname and date of birth', () => {
    const other = { firstName: 'Jane', lastName: 'Brown', dateOfBirth: '1990-07-01' };
    expect(checkVisitors([other], [janeOnRecord], [VISIT_DAY])).toEqual([{ match: 'none' }]);
    // A name typo and a date of birth typo together are too much to be sure of.
    const twice = { firstName: 'Jana', lastName: 'Smith', dateOfBirth: '1985-03-13' };
    expect(checkVisitors([twice], [janeOnRecord], [VISIT_DAY])[0].match).toBe('none');
  });

  it('never matches a contact who is not approved', () => {
    const unapproved = { ...janeOnRecord, approved: false };
    expect(checkVisitors([jane], [unapproved], [VISIT_DAY])).toEqual([{ match: 'none' }]);
  });

  it('prefers the exact contact to a near one, in whichever order the list has them', () => {
    const john = contact({ id: 'C5', firstName: 'Jan', lastName: 'Smith' });
    expect(checkVisitors([jane], [john, janeOnRecord], [VISIT_DAY])[0]).toMatchObject({ contactId: 'C1' });
    // Two of one name: the date of birth a slip away beats another one.
    const mother = contact({ id: 'C6', firstName: 'Jane', lastName: 'Smith', dateOfBirth: '1960-01-30' });
    const typed = { ...jane, dateOfBirth: '1985-03-21' };
    expect(checkVisitors([typed], [mother, janeOnRecord], [VISIT_DAY])[0]).toMatchObject({ contactId: 'C1' });
  });

  it('counts edits, a swap of neighbouring letters as one', () => {
    expect(editDistance('jon', 'john')).toBe(1);
    expect(editDistance('smtih', 'smith')).toBe(1);
    expect(editDistance('ann', 'amy')).toBe(2);
  });

  it('weighs restrictions on the dates asked for: bans on all of them, closed visits on any', () => {
    const banned = {
      ...janeOnRecord,
      restrictions: [{ type: 'banned' as const, from: '2027-01-01', until: '2027-03-03' }],
    };
    expect(checkVisitors([jane], [banned], ['2027-02-10', '2027-02-12'])[0]).toMatchObject({
      banned: { until: '2027-03-03' },
    });
    // Ended the day before the visit: no ban.
    expect(checkVisitors([jane], [banned], ['2027-03-04'])[0].banned).toBeUndefined();
    // Covers one of two dates: staff can book the other.
    expect(checkVisitors([jane], [banned], ['2027-03-03', '2027-03-04'])[0]).toMatchObject({
      bannedOnSomeDates: ['2027-03-03'],
    });
    const closed = { ...janeOnRecord, restrictions: [{ type: 'closed' as const, from: '2027-03-04' }] };
    expect(checkVisitors([jane], [closed], ['2027-03-03', '2027-03-04'])[0]).toMatchObject({
      closed: true,
      closedOnSomeDates: ['2027-03-04'],
    });
  });
});

const prisonYaml = (eligibility = '[]') => `
id: TST
name: HMP Test
address: [1 Test Road]
calendar:
  recurring:
    wed: [1400-1600]
eligibility: ${eligibility}
`;

function prisonWith(eligibility?: string) {
  const result = parseRuleFile(prisonYaml(eligibility), 'test.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.prison;
}

const record = (fields: Partial<PrisonerRecord> = {}): PrisonerRecord => ({
  number: 'A1234BC',
  firstName: 'Oscar',
  lastName: 'Wilde',
  dateOfBirth: '1980-10-16',
  prisonId: 'TST',
  contacts: [janeOnRecord, contact({ id: 'C9', firstName: 'Tom', lastName: 'Smith', dateOfBirth: '2015-06-01' })],
  ...fields,
});
const tom: Visitor = { firstName: 'Tom', lastName: 'Smith', dateOfBirth: '2015-06-01' };

function input(fields: Partial<EligibilityInput> & { record?: PrisonerRecord } = {}): EligibilityInput {
  const { record: given = record(), ...rest } = fields;
  const visitors = rest.visitors ?? [jane, tom];
  return {
    today: '2027-02-01',
    prisoner: { number: 'A1234BC', lastName: 'Wilde', dateOfBirth: '1980-10-16' },
    visitorDatesOfBirth: visitors.map((v) => v.dateOfBirth),
    visitors,
    slotOptions: ['2027-02-10T14:00/16:00', '2027-02-17T14:00/16:00'],
    check: { status: 'found', record: given },
    earlierVisits: { requested: 0, booked: 0, inLast28Days: 0 },
    ...rest,
  };
}

const banUntil = (until?: string) => [{ type: 'banned' as const, ...(until ? { until } : {}) }];
const withBans = (janeBan?: Contact['restrictions'], tomBan?: Contact['restrictions']) =>
  record({
    contacts: [
      { ...janeOnRecord, restrictions: janeBan ?? [] },
      contact({ id: 'C9', firstName: 'Tom', lastName: 'Smith', dateOfBirth: '2015-06-01', restrictions: tomBan ?? [] }),
    ],
  });

describe('eligibility from the contacts and the visiting orders', () => {
  it('passes visitors who are on the list, and shows each one’s check', async () => {
    const { eligibility } = await evaluateEligibility(prisonWith(), input());
    expect(eligibility).toMatchObject({ rejections: [], flags: [] });
    expect(eligibility.visitors?.map((v) => v.match)).toEqual(['exact', 'exact']);
  });

  it('rejects a request whose lead visitor is banned on every date, saying until when, in English and Welsh', async () => {
    const { eligibility } = await evaluateEligibility(
      prisonWith(),
      input({ record: withBans(banUntil('2027-03-03')) }),
    );
    expect(eligibility.rejections).toEqual([
      {
        rule: 'contact-check',
        reason: 'visitor_banned',
        explanation: 'Jane Smith is banned from visiting until 3 March 2027.',
        explanationCy: 'Mae gwaharddiad yn atal Jane Smith rhag ymweld tan 3 Mawrth 2027.',
      },
    ]);
  });

  it('says "until further notice" for a ban with no end', async () => {
    const { eligibility } = await evaluateEligibility(prisonWith(), input({ record: withBans(banUntil()) }));
    expect(eligibility.rejections[0].explanation).toBe('Jane Smith is banned from visiting until further notice.');
    expect(eligibility.rejections[0].explanationCy).toMatch(/hyd nes y ceir hysbysiad pellach\.$/);
  });

  it('does not count a ban that ends before the visit', async () => {
    const { eligibility } = await evaluateEligibility(
      prisonWith(),
      input({ record: withBans(banUntil('2027-02-09')) }),
    );
    expect(eligibility.rejections).toEqual([]);
    expect(eligibility.flags).toEqual([]);
  });

  it('flags, not rejects, a banned visitor who is not the lead; rejects when every visitor is banned', async () => {
    const other = await evaluateEligibility(
      prisonWith(),
      input({ record: withBans(undefined, banUntil('2027-03-03')) }),
    );
    expect(other.eligibility.rejections).toEqual([]);
    expect(other.eligibility.flags).toEqual([
      {
        rule: 'contact-check',
        flag: 'visitor_banned',
        explanation: 'Tom Smith is banned from visiting until 3 March 2027.',
      },
    ]);
    const both = await evaluateEligibility(
      prisonWith(),
      input({ visitors: [tom, jane], record: withBans(banUntil('2027-03-03'), banUntil()) }),
    );
    expect(both.eligibility.rejections.map((r) => r.explanation)).toEqual([
      'Tom Smith is banned from visiting until further notice.',
      'Jane Smith is banned from visiting until 3 March 2027.',
    ]);
  });

  it('flags a near match with what differs, and a visitor not on the list', async () => {
    const typo = { ...jane, dateOfBirth: '1985-12-03' };
    const stranger = { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-12-10' };
    const { eligibility } = await evaluateEligibility(prisonWith(), input({ visitors: [typo, stranger] }));
    expect(eligibility.rejections).toEqual([]);
    expect(eligibility.flags).toEqual([
      {
        rule: 'contact-check',
        flag: 'visitor_near_match',
        explanation:
          'Jane Smith nearly matches an approved contact: date of birth 1985-12-03 given, 1985-03-12 on record.',
      },
      {
        rule: 'contact-check',
        flag: 'visitor_not_on_list',
        explanation: 'Ada Lovelace is not on the prisoner’s list of approved contacts.',
      },
    ]);
  });

  it('only flags a banned contact that a visitor nearly matches: staff decide if it is them', async () => {
    const typo = { ...jane, firstName: 'Jayne' };
    const { eligibility } = await evaluateEligibility(
      prisonWith(),
      input({ visitors: [typo], record: withBans(banUntil('2027-03-03')) }),
    );
    expect(eligibility.rejections).toEqual([]);
    expect(eligibility.flags.map((f) => f.flag)).toEqual(['visitor_near_match', 'visitor_banned']);
    expect(eligibility.flags[1].explanation).toBe(
      'Jayne Smith may be a contact who is banned from visiting until 3 March 2027.',
    );
  });

  it('names only the exactly matched in a rejection: a banned near match stays a flag', async () => {
    const tommy = { ...tom, firstName: 'Tommy' };
    const { eligibility } = await evaluateEligibility(
      prisonWith(),
      input({ visitors: [jane, tommy], record: withBans(banUntil('2027-03-03'), banUntil()) }),
    );
    expect(eligibility.rejections.map((r) => r.explanation)).toEqual([
      'Jane Smith is banned from visiting until 3 March 2027.',
    ]);
    expect(eligibility.flags.map((f) => f.explanation)).toEqual([
      'Tommy Smith nearly matches an approved contact: first name Tommy given, Tom on record.',
      'Tommy Smith may be a contact who is banned from visiting until further notice.',
    ]);
  });

  it('makes the visit closed when a visitor may only have closed visits, unless a rule already did', async () => {
    const closedTom = withBans(undefined, [{ type: 'closed', from: '2027-01-01' }]);
    const { eligibility } = await evaluateEligibility(prisonWith(), input({ record: closedTom }));
    expect(eligibility.closedVisit).toEqual({
      rule: 'contact-check',
      explanation: 'Tom Smith may only have closed visits.',
    });
    const byRule = prisonWith(`
  - name: all-closed
    conditions: { all: [{ fact: request, path: $.slotCount, operator: greaterThan, value: 0 }] }
    event: { type: closed_visit, params: { explanation: Every visit here is closed. } }`);
    const ruled = await evaluateEligibility(byRule, input({ record: closedTom }));
    expect(ruled.eligibility.closedVisit?.rule).toBe('all-closed');
  });

  it('rejects a request when the prisoner has no visiting orders left, saying when new ones come', async () => {
    const { eligibility } = await evaluateEligibility(
      prisonWith(),
      input({ visitingOrders: { balance: 0, renewsOn: '2027-03-01' } }),
    );
    expect(eligibility.allowanceRenewsOn).toBe('2027-03-01');
    expect(eligibility.rejections).toEqual([
      {
        rule: 'visiting-orders',
        reason: 'no_allowance',
        explanation: 'The prisoner has no visiting orders left. New ones are issued on Monday 1 March 2027.',
        explanationCy: expect.stringMatching(
          /^Nid oes gan y carcharor unrhyw orchmynion ymweld ar ôl\. Bydd rhai newydd yn cael eu rhoi ar .*1 Mawrth 2027\.$/,
        ),
      },
    ]);
  });

  it('does not hold a prisoner on remand, or one with orders left, to the visiting orders', async () => {
    const remand = await evaluateEligibility(
      prisonWith(),
      input({ visitingOrders: { balance: 0, renewsOn: '2027-03-01', remand: true } }),
    );
    expect(remand.eligibility.rejections).toEqual([]);
    expect(remand.eligibility.allowanceRenewsOn).toBeUndefined();
    const onRecord = await evaluateEligibility(
      prisonWith(),
      input({ record: record({ legalStatus: 'remand' }), visitingOrders: { balance: 0, renewsOn: '2027-03-01' } }),
    );
    expect(onRecord.eligibility.rejections).toEqual([]);
    const left = await evaluateEligibility(
      prisonWith(),
      input({ visitingOrders: { balance: 1, renewsOn: '2027-03-01' } }),
    );
    expect(left.eligibility.rejections).toEqual([]);
  });

  it('finds nothing about visitors when the record does not list contacts', async () => {
    const { eligibility } = await evaluateEligibility(
      prisonWith(),
      input({
        visitors: [{ firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-12-10' }],
        record: record({ contacts: undefined }),
      }),
    );
    expect(eligibility.visitors).toBeUndefined();
    expect(eligibility.flags).toEqual([]);
  });
});

describe('a prison’s rules over the contacts facts', () => {
  const strict = prisonWith(`
  - name: visitors-must-be-on-the-list
    conditions: { all: [{ fact: contacts, path: $.notOnList, operator: greaterThan, value: 0 }] }
    event:
      type: reject
      params: { reason: visitor_not_on_list, explanation: Every visitor must be on the prisoner’s list. }
  - name: lead-near-match
    conditions: { all: [{ fact: visitors, path: '$[0].match', operator: equal, value: near }] }
    event: { type: flag, params: { flag: check_lead_visitor, explanation: Check the lead visitor’s identity. } }
  - name: alert-closed
    conditions: { all: [{ fact: prisoner, path: $.alerts, operator: contains, value: VCL }] }
    event: { type: closed_visit, params: { explanation: The prisoner has a closed-visits alert. } }
  - name: remand-with-orders-left
    conditions:
      all:
        - { fact: prisoner, path: $.legalStatus, operator: equal, value: remand }
        - { fact: prisoner, path: $.visitingOrders, operator: greaterThan, value: 2 }
    event: { type: flag, params: { flag: remand_orders, explanation: Remand with orders. } }`);

  it('can reject a visitor not on the list, by the count of them', async () => {
    const stranger = { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-12-10' };
    const { eligibility } = await evaluateEligibility(strict, input({ visitors: [jane, stranger] }));
    expect(eligibility.rejections.map((r) => r.rule)).toEqual(['visitors-must-be-on-the-list']);
    const onList = await evaluateEligibility(strict, input());
    expect(onList.eligibility.rejections).toEqual([]);
  });

  it('does not count visitors as off the list when the list was not checked', async () => {
    const stranger = { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-12-10' };
    const { eligibility } = await evaluateEligibility(
      strict,
      input({ visitors: [stranger], record: record({ contacts: undefined }) }),
    );
    expect(eligibility.rejections).toEqual([]);
  });

  it('can test each visitor, the prisoner’s alerts, legal status and visiting orders', async () => {
    const { eligibility, trace } = await evaluateEligibility(
      strict,
      input({
        visitors: [{ ...jane, firstName: 'Jayne' }],
        record: record({ legalStatus: 'remand', alerts: [{ code: 'VCL', description: 'Closed visits' }] }),
        visitingOrders: { balance: 3, renewsOn: '2027-03-01', remand: true },
      }),
    );
    expect(eligibility.rulesFired).toEqual(['lead-near-match', 'alert-closed', 'remand-with-orders-left']);
    expect(trace.find((t) => t.rule === 'lead-near-match')?.conditions[0].actual).toBe('near');
  });
});
