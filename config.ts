// Every environment variable the service reads, read once here, typed and validated.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const file = z.string().min(1);

/** A key that encrypts what the service hands Temporal, named by its id (scripts/payloadCodec.ts). */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * `id:base64key,...`: AES-256 keys, the first encrypting, every one decrypting. An issue names the entry by its place,
 * never the key.
 */
const payloadKeys = z.string().transform((list, ctx): PayloadKey[] => {
  const keys: PayloadKey[] = [];
  list.split(',').forEach((entry, index) => {
    const [id, encoded, ...rest] = entry.trim().split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    const problem =
      !id || !/^[\w.-]+$/.test(id) || rest.length > 0
        ? 'is not id:base64key (an id of letters, digits, ".", "-" or "_")'
        : key.length !== 32 || key.toString('base64') !== encoded
          ? 'holds a key that is not 32 bytes in base64 (make one with `openssl rand -base64 32`)'
          : keys.some((other) => other.id === id)
            ? `repeats the id ${id}`
            : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ${problem}` });
    else keys.push({ id, key });
  });
  return keys;
});

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: port.default(3000),
    /** host:port of a Temporal frontend; unset means `npm start` runs an embedded dev server. */
    TEMPORAL_ADDRESS: z.string().min(1).optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('visit-requests'),
    /** Keys that encrypt workflow inputs, results and messages before Temporal sees them. Required in production. */
    TEMPORAL_PAYLOAD_KEYS: payloadKeys.optional(),
    /** TLS to Temporal: on when set to true, or when a file or an API key below is given (Temporal Cloud). */
    TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
    /** The CA that signed Temporal's certificate, when the system's do not. */
    TEMPORAL_TLS_CA_FILE: file.optional(),
    /** The client's certificate and key, for mTLS. */
    TEMPORAL_TLS_CERT_FILE: file.optional(),
    TEMPORAL_TLS_KEY_FILE: file.optional(),
    /** The name Temporal's certificate is checked against, when not the host of TEMPORAL_ADDRESS. */
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    /**
     * A MongoDB connection string naming the database; unset means `npm start` runs the embedded store. TLS is the
     * URI's own options, which the driver honours: `?tls=true&tlsCAFile=/ca.pem&tlsCertificateKeyFile=/client.pem`.
     */
    MONGODB_URI: z.string().startsWith('mongodb').optional(),
    /**
     * Where MONGODB_URI is a FerretDB on PostgreSQL: that PostgreSQL database, in which the read model makes the
     * indexes FerretDB's queries can use. `npm start` sets it for its embedded store.
     */
    FERRETDB_POSTGRESQL_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** Where the embedded servers keep their data. */
    DATA_DIR: z.string().min(1).default('data'),
    EMBEDDED_TEMPORAL_PORT: port.default(7233),
    EMBEDDED_TEMPORAL_UI_PORT: port.default(8233),
    EMBEDDED_MONGODB_PORT: port.default(27017),
    EMBEDDED_POSTGRES_PORT: port.default(5433),
    /** Folder of per-prison rule files. */
    RULES_DIR: z.string().min(1).default('rules/prisons'),
    /** Signs staff session tokens; at least 32 characters. Required in production. */
    SESSION_SECRET: z.string().min(32).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Base URL of the prisoner-information service; unset means requests go to staff flagged "could not check". */
    PRISONER_SERVICE_URL: z.url().optional(),
    PRISONER_SERVICE_TOKEN: z.string().min(1).optional(),
    PRISONER_SERVICE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
    /**
     * The bearer token the prisoner service (or an operator) sends with changes to prisoners' records,
     * `POST /api/prisoner-events`; unset, that endpoint takes none (the daily re-check still finds them).
     */
    PRISONER_EVENTS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * How e-mails leave: smtp, notify, folder (development: each written to a file in MAIL_FOLDER, as `npm start`
     * does), or none (kept in the outbox, unsent).
     */
    MAIL_PROVIDER: z.enum(['smtp', 'notify', 'folder', 'none']).default('none'),
    MAIL_FOLDER: z.string().min(1).optional(),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Prison visits <no-reply@visits.example>'),
    NOTIFY_API_KEY: z.string().min(74).optional(),
    NOTIFY_TEMPLATE_ID: z.uuid().optional(),
    NOTIFY_BASE_URL: z.url().default('https://api.notifications.service.gov.uk'),
    /**
     * How text messages leave: notify (its SMS API, with NOTIFY_API_KEY), sink (development: kept in the outbox as
     * sent, sent nowhere; `npm start`'s default) or none (visitors who asked for texts are e-mailed instead).
     */
    TEXT_PROVIDER: z.enum(['notify', 'sink', 'none']).default('none'),
    /** A Notify text message template whose body is `((body))`. */
    NOTIFY_SMS_TEMPLATE_ID: z.uuid().optional(),
    /** The address visitors and staff reach the service at, for links in e-mails. */
    PUBLIC_URL: z.url().optional(),
    /** Visit requests one client may send per minute (429 beyond). */
    SUBMISSIONS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /** Web journeys one client may begin per minute (each is counted in the store; 429 beyond). */
    JOURNEY_STARTS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
    /** Feedback forms one client may send per minute (429 beyond). */
    FEEDBACK_PER_MINUTE: z.coerce.number().int().min(1).default(10),
    /**
     * How many proxies in front of the service append to X-Forwarded-For (a load balancer: 1). The client's address is
     * read that many entries from the right; whatever a client writes further left is ignored. 0: the socket's peer.
     */
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).optional(),
    /** Older spelling: `true` is TRUSTED_PROXY_HOPS=1. */
    TRUST_PROXY: z.enum(['true', 'false']).default('false'),
    /**
     * Workflows a worker keeps in memory between their steps; one evicted replays its (short) history at its next
     * step. A visit's steps are seconds apart at its start, then days: 50 holds every request being made at twice the
     * national peak, and each costs some 0.3 MB (docs/decisions/0009).
     */
    WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(50),
    /** Days after a visit's story ends before its personal data is anonymised. */
    RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(183),
    /**
     * Bookers' sign-in at an OpenID Connect provider (GOV.UK One Login), beside the e-mailed link: its issuer, and this
     * service's client there, which authenticates with its secret (client_secret_basic). All three, or none.
     */
    BOOKER_OIDC_ISSUER: z.url().optional(),
    BOOKER_OIDC_CLIENT_ID: z.string().min(1).optional(),
    BOOKER_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** The scopes asked for: an e-mail address is what signs a booker in. */
    BOOKER_OIDC_SCOPES: z
      .string()
      .regex(/(^|\s)openid(\s|$)/, 'must include openid')
      .default('openid email'),
  })
  .superRefine((env, ctx) => {
    if (env.MAIL_PROVIDER === 'folder' && !env.MAIL_FOLDER) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_FOLDER'], message: 'is required when MAIL_PROVIDER=folder' });
    }
    if (env.MAIL_PROVIDER === 'folder' && env.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['MAIL_PROVIDER'], message: 'folder is for development, not production' });
    }
    if (env.MAIL_PROVIDER === 'smtp' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when MAIL_PROVIDER=smtp' });
    }
    for (const name of ['NOTIFY_API_KEY', 'NOTIFY_TEMPLATE_ID'] as const) {
      if (env.MAIL_PROVIDER === 'notify' && !env[name]) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is required when MAIL_PROVIDER=notify' });
      }
    }
    for (const name of ['NOTIFY_API_KEY', 'NOTIFY_SMS_TEMPLATE_ID'] as const) {
      if (env.TEXT_PROVIDER === 'notify' && !env[name]) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is required when TEXT_PROVIDER=notify' });
      }
    }
    if (env.TEXT_PROVIDER === 'sink' && env.NODE_ENV === 'production') {
      // The sink says texts went that never did.
      ctx.addIssue({ code: 'custom', path: ['TEXT_PROVIDER'], message: 'cannot be sink in production' });
    }
    if (Boolean(env.TEMPORAL_TLS_CERT_FILE) !== Boolean(env.TEMPORAL_TLS_KEY_FILE)) {
      const missing = env.TEMPORAL_TLS_CERT_FILE ? 'TEMPORAL_TLS_KEY_FILE' : 'TEMPORAL_TLS_CERT_FILE';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required with its pair, for mTLS' });
    }
    if (env.TEMPORAL_TLS === 'false') {
      for (const name of temporalTlsSettings) {
        if (env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'needs TLS, but TEMPORAL_TLS is false' });
      }
    }
    const oidc = ['BOOKER_OIDC_ISSUER', 'BOOKER_OIDC_CLIENT_ID', 'BOOKER_OIDC_CLIENT_SECRET'] as const;
    if (oidc.some((name) => env[name])) {
      for (const name of oidc.filter((name) => !env[name])) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `is required with ${oidcSetting(env)} (all three, or none)`,
        });
      }
    }
    if (env.BOOKER_OIDC_ISSUER && !secureOrLoopback(env.BOOKER_OIDC_ISSUER, env.NODE_ENV)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BOOKER_OIDC_ISSUER'],
        message: 'must be an https:// URL (http:// only for a provider on this machine, outside production)',
      });
    }
    if (env.NODE_ENV !== 'production') return;
    for (const name of ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'SESSION_SECRET', 'TEMPORAL_PAYLOAD_KEYS'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
    }
    if (!env.PUBLIC_URL?.startsWith('https://')) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required in production, as an https:// URL' });
    }
  });

/** The first of the OIDC settings given, which the missing ones are named against. */
const oidcSetting = (env: { BOOKER_OIDC_ISSUER?: string; BOOKER_OIDC_CLIENT_ID?: string }) =>
  env.BOOKER_OIDC_ISSUER
    ? 'BOOKER_OIDC_ISSUER'
    : env.BOOKER_OIDC_CLIENT_ID
      ? 'BOOKER_OIDC_CLIENT_ID'
      : 'BOOKER_OIDC_CLIENT_SECRET';

/** An issuer's URL is https, or (outside production, for a provider run locally) http on a loopback host. */
function secureOrLoopback(url: string, env: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return true;
  return env !== 'production' && protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

/** The settings that turn TLS to Temporal on, unless TEMPORAL_TLS says otherwise. */
const temporalTlsSettings = [
  'TEMPORAL_TLS_CA_FILE',
  'TEMPORAL_TLS_CERT_FILE',
  'TEMPORAL_TLS_KEY_FILE',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_API_KEY',
] as const;

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
      payloadKeys: env.TEMPORAL_PAYLOAD_KEYS ?? [],
      tls:
        env.TEMPORAL_TLS === 'true' || (!env.TEMPORAL_TLS && temporalTlsSettings.some((name) => env[name]))
          ? {
              caFile: env.TEMPORAL_TLS_CA_FILE,
              certFile: env.TEMPORAL_TLS_CERT_FILE,
              keyFile: env.TEMPORAL_TLS_KEY_FILE,
              serverName: env.TEMPORAL_TLS_SERVER_NAME,
            }
          : undefined,
      apiKey: env.TEMPORAL_API_KEY,
    },
    mongo: {
      embedded: env.MONGODB_URI === undefined,
      uri: env.MONGODB_URI ?? `mongodb://127.0.0.1:${env.EMBEDDED_MONGODB_PORT}/visits`,
      port: env.EMBEDDED_MONGODB_PORT,
      postgresPort: env.EMBEDDED_POSTGRES_PORT,
      postgresqlUrl: env.FERRETDB_POSTGRESQL_URL,
    },
    dataDir: env.DATA_DIR,
    rulesDir: env.RULES_DIR,
    sessionSecret: env.SESSION_SECRET,
    logLevel: env.LOG_LEVEL,
    mail: {
      provider: env.MAIL_PROVIDER,
      smtpUrl: env.SMTP_URL,
      folder: env.MAIL_FOLDER,
      from: env.MAIL_FROM,
      notify: { apiKey: env.NOTIFY_API_KEY, templateId: env.NOTIFY_TEMPLATE_ID, baseUrl: env.NOTIFY_BASE_URL },
    },
    text: {
      provider: env.TEXT_PROVIDER,
      notify: { apiKey: env.NOTIFY_API_KEY, templateId: env.NOTIFY_SMS_TEMPLATE_ID, baseUrl: env.NOTIFY_BASE_URL },
    },
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    retentionDays: env.RETENTION_DAYS,
    worker: { cachedWorkflows: env.WORKER_CACHED_WORKFLOWS },
    submissionsPerMinute: env.SUBMISSIONS_PER_MINUTE,
    journeyStartsPerMinute: env.JOURNEY_STARTS_PER_MINUTE,
    feedbackPerMinute: env.FEEDBACK_PER_MINUTE,
    trustedProxyHops: env.TRUSTED_PROXY_HOPS ?? (env.TRUST_PROXY === 'true' ? 1 : 0),
    bookerOidc:
      env.BOOKER_OIDC_ISSUER && env.BOOKER_OIDC_CLIENT_ID && env.BOOKER_OIDC_CLIENT_SECRET
        ? {
            issuer: env.BOOKER_OIDC_ISSUER,
            clientId: env.BOOKER_OIDC_CLIENT_ID,
            clientSecret: env.BOOKER_OIDC_CLIENT_SECRET,
            scopes: env.BOOKER_OIDC_SCOPES,
          }
        : undefined,
    prisonerService: {
      baseUrl: env.PRISONER_SERVICE_URL,
      token: env.PRISONER_SERVICE_TOKEN,
      timeoutMs: env.PRISONER_SERVICE_TIMEOUT_MS,
    },
    prisonerEventsToken: env.PRISONER_EVENTS_TOKEN,
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
