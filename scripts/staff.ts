// Staff accounts from the command line: `npm run staff -- add --email E --password P --role staff --prison ID`.
import { parseArgs } from 'node:util';
import { staffUser } from '../api/schemas';
import { saveStaffAccount } from '../api/staffAccounts';
import { loadConfig } from '../config';
import { RuleBook } from '../rules/ruleBook';
import { connectMongo } from './connections';

const usage = 'usage: npm run staff -- add --email E --password P --role staff|admin|policy [--prison ID ...]';

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string' },
    prison: { type: 'string', multiple: true, default: [] },
  },
});
if (positionals[0] !== 'add') fail(`unknown command: ${positionals[0] ?? '(none)'}`);

const parsed = staffUser.safeParse({ email: values.email, role: values.role, prisons: values.prison });
if (!parsed.success)
  fail(
    parsed.error.issues
      .map((i) => `--${i.path[0] === 'prisons' ? 'prison' : String(i.path[0])}: ${i.message}`)
      .join('\n'),
  );
if (!values.password || values.password.length < 12) fail('--password: at least 12 characters');

const config = loadConfig();
const rules = new RuleBook(config.rulesDir);
const unknown = parsed.data.prisons.filter((id) => !rules.get(id));
if (unknown.length > 0) fail(`--prison: no rule file for ${unknown.join(', ')}`);
if (parsed.data.role === 'staff' && parsed.data.prisons.length === 0) fail('--prison: a staff user needs at least one');

const { mongo, db } = await connectMongo(config);
try {
  // Saving sets the password, which ends every session of the account: whoever had the old one is signed out.
  const ended = await saveStaffAccount(db, { ...parsed.data, password: values.password });
  console.log(`saved ${parsed.data.role} ${parsed.data.email} (${parsed.data.prisons.join(', ') || 'no prisons'})`);
  if (ended > 0) console.log(`ended ${ended} session${ended === 1 ? '' : 's'} of ${parsed.data.email}`);
} finally {
  await mongo.close();
}
