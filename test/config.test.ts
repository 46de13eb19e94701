// The configuration: defaults for one machine, and what production insists on.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { mongoClient, temporalClient, temporalConnectionOptions } from '../scripts/connections';
import { nodeArgs, WORKER_NODE_FLAGS } from '../scripts/roles';

describe('configuration', () => {
  it('runs embedded servers when no addresses are given', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.temporal).toMatchObject({ embedded: true, address: '127.0.0.1:7233', namespace: 'default' });
    expect(config.mongo).toMatchObject({ embedded: true, uri: 'mongodb://127.0.0.1:27017/visits' });
  });

  it('uses external servers when their addresses are given', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      MONGODB_URI: 'mongodb://db:27017/pvb',
      PORT: '8080',
    });
    expect(config.temporal).toMatchObject({ embedded: false, address: 'temporal:7233' });
    expect(config.mongo).toMatchObject({ embedded: false, uri: 'mongodb://db:27017/pvb' });
    expect(config.port).toBe(8080);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x' })).toThrow(/PORT[\s\S]*MONGODB_URI/);
  });

  it('requires external servers and a session secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /TEMPORAL_ADDRESS[\s\S]*MONGODB_URI[\s\S]*SESSION_SECRET/,
    );
  });

  it('asks for what the chosen mail provider needs', () => {
    expect(() => loadConfig({ MAIL_PROVIDER: 'smtp' })).toThrow(/SMTP_URL: is required when MAIL_PROVIDER=smtp/);
    expect(() => loadConfig({ MAIL_PROVIDER: 'notify' })).toThrow(/NOTIFY_API_KEY[\s\S]*NOTIFY_TEMPLATE_ID/);
    expect(loadConfig({ MAIL_PROVIDER: 'smtp', SMTP_URL: 'smtp://localhost:25' }).mail.provider).toBe('smtp');
  });

  it('caps the worker’s heap the same way whether `npm start` or `npm run worker` starts it', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(nodeArgs('worker').slice(0, WORKER_NODE_FLAGS.length)).toEqual(WORKER_NODE_FLAGS);
    expect(scripts.worker.split(' ').slice(1, 1 + WORKER_NODE_FLAGS.length)).toEqual(WORKER_NODE_FLAGS);
  });
});

describe('production', () => {
  const key = randomBytes(32).toString('base64');
  const production = {
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: 'temporal:7233',
    MONGODB_URI: 'mongodb://db:27017/visits',
    SESSION_SECRET: 'x'.repeat(32),
    TEMPORAL_PAYLOAD_KEYS: `2027-01:${key}`,
    PUBLIC_URL: 'https://visits.example.gov.uk',
  };

  it('starts with its servers, a session secret, a key for Temporal’s payloads and an https PUBLIC_URL', () => {
    const config = loadConfig(production);
    expect(config.temporal.payloadKeys).toEqual([{ id: '2027-01', key: Buffer.from(key, 'base64') }]);
    expect(config.publicUrl).toBe('https://visits.example.gov.uk');
  });

  it('refuses to start without a key for Temporal’s payloads, naming TEMPORAL_PAYLOAD_KEYS', () => {
    const { TEMPORAL_PAYLOAD_KEYS: _, ...withoutKeys } = production;
    expect(() => loadConfig(withoutKeys)).toThrow('TEMPORAL_PAYLOAD_KEYS: is required in production');
  });

  it('refuses to start without PUBLIC_URL, or with one that is not https', () => {
    const { PUBLIC_URL: _, ...withoutUrl } = production;
    const refusal = 'PUBLIC_URL: is required in production, as an https:// URL';
    expect(() => loadConfig(withoutUrl)).toThrow(refusal);
    expect(() => loadConfig({ ...production, PUBLIC_URL: 'http://visits.example.gov.uk' })).toThrow(refusal);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).publicUrl).toBe('http://localhost:3000');
  });
});

describe('TEMPORAL_PAYLOAD_KEYS', () => {
  const key = randomBytes(32).toString('base64');

  it('names each entry that is not id:base64key of 32 bytes, never showing a key', () => {
    const short = randomBytes(16).toString('base64');
    const load = (keys: string) => () => loadConfig({ TEMPORAL_PAYLOAD_KEYS: keys });
    expect(load(`new:${key},old:${short}`)).toThrow(/TEMPORAL_PAYLOAD_KEYS: entry 2 holds a key that is not 32 bytes/);
    expect(load(`new:${key},old:${short}`)).not.toThrow(short);
    expect(load(key)).toThrow(/TEMPORAL_PAYLOAD_KEYS: entry 1 is not id:base64key/);
    expect(load(`a:${key},a:${key}`)).toThrow(/TEMPORAL_PAYLOAD_KEYS: entry 2 repeats the id a/);
  });
});

describe('TLS to Temporal and MongoDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvb-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, `-----BEGIN ${name}-----\n`);
    return path;
  };

  it('is off unless asked for', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({
      address: 'temporal:7233',
    });
    const client = temporalClient(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }));
    expect((client.connection as Connection).options.credentials._isSecure()).toBe(false);
  });

  it('hands the client and the worker the CA, the client certificate and key (mTLS) and the server name', () => {
    const [ca, cert, key] = [file('CA'), file('CERTIFICATE'), file('KEY')];
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'visits.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CA_FILE: ca,
      TEMPORAL_TLS_CERT_FILE: cert,
      TEMPORAL_TLS_KEY_FILE: key,
      TEMPORAL_TLS_SERVER_NAME: 'visits.a1b2c.tmprl.cloud',
    });
    expect(temporalConnectionOptions(config)).toEqual({
      address: 'visits.a1b2c.tmprl.cloud:7233',
      tls: {
        serverRootCACertificate: readFileSync(ca),
        clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) },
        serverNameOverride: 'visits.a1b2c.tmprl.cloud',
      },
    });
  });

  it('is on with an API key (Temporal Cloud), or with TEMPORAL_TLS=true and the system’s CAs', () => {
    const withKey = loadConfig({ TEMPORAL_ADDRESS: 'eu-west-2.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'k' });
    expect(temporalConnectionOptions(withKey)).toEqual({
      address: 'eu-west-2.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'k',
    });
    const client = temporalClient(withKey);
    expect((client.connection as Connection).options.credentials._isSecure()).toBe(true);
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'true' })).tls).toEqual({});
  });

  it('refuses a certificate without its key, TLS files with TEMPORAL_TLS=false, and a file it cannot read', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_FILE: file('CERTIFICATE') })).toThrow(
      'TEMPORAL_TLS_KEY_FILE: is required with its pair, for mTLS',
    );
    expect(() => loadConfig({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_FILE: file('CA') })).toThrow(
      'TEMPORAL_TLS_CA_FILE: needs TLS, but TEMPORAL_TLS is false',
    );
    const missing = loadConfig({ TEMPORAL_TLS_CA_FILE: join(dir, 'missing.pem') });
    expect(() => temporalConnectionOptions(missing)).toThrow(`TEMPORAL_TLS_CA_FILE: cannot read ${dir}/missing.pem`);
  });

  it('to MongoDB comes from the URI’s own options, which the client keeps', () => {
    const uri =
      'mongodb://db:27017/visits?tls=true&tlsCAFile=/etc/visits/ca.pem&tlsCertificateKeyFile=/etc/visits/me.pem';
    const { options } = mongoClient(loadConfig({ MONGODB_URI: uri }));
    expect(options).toMatchObject({ tls: true, tlsCAFile: '/etc/visits/ca.pem' });
    expect(options).toMatchObject({ tlsCertificateKeyFile: '/etc/visits/me.pem', serverSelectionTimeoutMS: 5000 });
  });
});
