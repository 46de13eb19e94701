// The configuration: defaults for one machine, and what production insists on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
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
