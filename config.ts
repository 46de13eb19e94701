// Every environment variable the service reads, read once here, typed and validated.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: port.default(3000),
    /** host:port of a Temporal frontend; unset means `npm start` runs an embedded dev server. */
    TEMPORAL_ADDRESS: z.string().min(1).optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('visit-requests'),
    /** A MongoDB connection string naming the database; unset means `npm start` runs an embedded FerretDB. */
    MONGODB_URI: z.string().startsWith('mongodb').optional(),
    /** Where the embedded servers keep their data. */
    DATA_DIR: z.string().min(1).default('data'),
    EMBEDDED_TEMPORAL_PORT: port.default(7233),
    EMBEDDED_TEMPORAL_UI_PORT: port.default(8233),
    EMBEDDED_MONGODB_PORT: port.default(27017),
    /** Folder of per-prison rule files. */
    RULES_DIR: z.string().min(1).default('rules/prisons'),
    /** Signs staff session tokens; at least 32 characters. Required in production. */
    SESSION_SECRET: z.string().min(32).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Base URL of the prisoner-information service; unset means requests go to staff flagged "could not check". */
    PRISONER_SERVICE_URL: z.url().optional(),
    PRISONER_SERVICE_TOKEN: z.string().min(1).optional(),
    PRISONER_SERVICE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const name of ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'SESSION_SECRET'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
    }
  });

/** The configuration as the code uses it, with the addresses of embedded servers filled in. */
function resolve(env: z.infer<typeof schema>) {
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    temporal: {
      embedded: env.TEMPORAL_ADDRESS === undefined,
      address: env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.EMBEDDED_TEMPORAL_PORT}`,
      uiPort: env.EMBEDDED_TEMPORAL_UI_PORT,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
    },
    mongo: {
      embedded: env.MONGODB_URI === undefined,
      uri: env.MONGODB_URI ?? `mongodb://127.0.0.1:${env.EMBEDDED_MONGODB_PORT}/visits`,
      port: env.EMBEDDED_MONGODB_PORT,
    },
    dataDir: env.DATA_DIR,
    rulesDir: env.RULES_DIR,
    sessionSecret: env.SESSION_SECRET,
    logLevel: env.LOG_LEVEL,
    prisonerService: {
      baseUrl: env.PRISONER_SERVICE_URL,
      token: env.PRISONER_SERVICE_TOKEN,
      timeoutMs: env.PRISONER_SERVICE_TIMEOUT_MS,
    },
  };
}

export type Config = ReturnType<typeof resolve>;

/** Reads and validates the configuration, exiting with a message naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (result.success) return resolve(result.data);
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}
