// The API process: the Hono app on PORT. `npm run api`.
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { createPrisonerService } from '../activities/prisonerService';
import { createBookerOidc } from '../api/bookerOidc';
import { createLog } from '../api/log';
import { loadConfig } from '../config';
import { RuleBook } from '../rules/ruleBook';
import { ONE_LOGIN_CALLBACK } from '../ui/oneLogin';
import { connectMongo, temporalClient } from './connections';
import { refuseDemoAccounts } from './demo';

const config = loadConfig();
const log = createLog(config.logLevel);
const { mongo, db } = await connectMongo(config);
await refuseDemoAccounts(db, config).catch((error: Error) => {
  log.error(error.message);
  process.exit(1);
});
const temporal = temporalClient(config);
if (!config.sessionSecret) log.warn('SESSION_SECRET is not set: staff sessions end when this process stops');
const app = createApp({
  db,
  temporal,
  taskQueue: config.temporal.taskQueue,
  commandTimeoutMs: 10_000,
  rules: new RuleBook(config.rulesDir, (level, message, fields) => log[level](message, fields)).watch(),
  session: { secret: config.sessionSecret ?? randomBytes(32).toString('hex') },
  secureCookies: config.env === 'production',
  submissions: { perMinute: config.submissionsPerMinute },
  journeyStarts: { perMinute: config.journeyStartsPerMinute },
  feedbackPosts: { perMinute: config.feedbackPerMinute },
  trustedProxyHops: config.trustedProxyHops,
  log,
  ...(config.prisonerService.baseUrl ? { prisonerService: createPrisonerService(config.prisonerService) } : {}),
  ...(config.prisonerEventsToken ? { prisonerEventsToken: config.prisonerEventsToken } : {}),
  ...(config.bookerOidc
    ? {
        bookerOidc: createBookerOidc({ ...config.bookerOidc, redirectUri: config.publicUrl + ONE_LOGIN_CALLBACK }, log),
      }
    : {}),
});
const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, ({ port }) => {
  log.info('listening', { port });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(async () => {
      await temporal.connection.close();
      await mongo.close();
    });
  });
}
