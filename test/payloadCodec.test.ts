// What the service hands Temporal is encrypted (scripts/payloadCodec.ts): a visit's history, read by a client without
// the key, holds none of the visitor's personal data, while the service, with it, works end to end; keys rotate by id.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { visitsCollection } from '../activities/readModel/visits';
import { loadConfig } from '../config';
import { decodeHistory, EncryptionCodec, KEY_ID, payloadsIn } from '../scripts/payloadCodec';
import {
  eventually,
  startTestService,
  testDataConverter,
  testPayloadKeys,
  visitRequestBody,
  type TestService,
} from './harness';

let service: TestService | undefined;
const connection = await Connection.connect({ address: inject('temporalAddress') });
afterAll(async () => {
  await service?.close();
  await connection.close();
});

type History = Parameters<typeof decodeHistory>[0];

/**
 * Everything in a history a person could read: its JSON with each payload taken out, and each payload's metadata and
 * data as UTF-8 (in the JSON they are base64, where a search would find nothing whatever they held).
 */
async function readable(history: History): Promise<string> {
  const copy = await decodeHistory(history, []);
  const payloads = payloadsIn(copy);
  const texts = payloads.map((payload) =>
    [...Object.values(payload.metadata ?? {}), payload.data ?? new Uint8Array()]
      .map((bytes) => Buffer.from(bytes).toString('utf8'))
      .join(' '),
  );
  for (const payload of payloads) {
    payload.metadata = {};
    payload.data = new Uint8Array();
  }
  return `${historyToJSON(copy)}\n${texts.join('\n')}`;
}

describe('a visit request in Temporal', () => {
  it(
    'holds no name, e-mail, phone, prison number or access token in clear, while the service answers and saves it',
    {
      timeout: 90_000,
    },
    async () => {
      service = await startTestService('payloadCodec');
      const staff = await service.staffToken('staff', ['NGT']);
      const suffix = randomBytes(4).toString('hex');
      const body = visitRequestBody({
        visitors: [{ firstName: 'Hermione', lastName: 'Wilde', dateOfBirth: '1985-01-01' }],
        contact: { email: `hermione.${suffix}@example.com`, phone: '07700 900987' },
      });
      const submitted = await service.call('POST', '/api/visits', { body });
      expect(submitted.status).toBe(201);
      const { reference, accessToken } = submitted.body as { reference: string; accessToken: string };
      const [slot] = body.slotOptions;
      const decided = await service.call('POST', `/api/staff/visits/${reference}/decision`, {
        token: staff,
        body: { outcome: 'accept', slot, referenceNo: 'NG-CODEC' },
      });
      expect(decided.status).toBe(200);
      const visits = visitsCollection(service.db);
      const saved = await eventually(async () => {
        const visit = await visits.findOne({ _id: reference });
        return visit?.status === 'booked' ? visit : undefined;
      });
      expect(saved).toMatchObject({ status: 'booked', contact: body.contact, prisoner: { number: 'A1234BC' } });

      const withoutKey = new Client({ connection });
      const raw = await withoutKey.workflow.getHandle(`visit-${reference}`).fetchHistory();
      const secrets = [
        body.contact.email,
        body.contact.phone,
        'Hermione',
        'Wilde',
        'Oscar',
        'A1234BC',
        accessToken,
        'staff1@test.example', // the staff member who decided, in the decision's arguments
      ];
      const seenWithoutKey = await readable(raw);
      for (const secret of secrets) expect(seenWithoutKey, secret).not.toContain(secret);
      expect(payloadsIn(raw).length).toBeGreaterThan(5);
      // The same search, once the history is decoded with the key, finds every one: it would find them in clear.
      const seenWithKey = await readable(await decodeHistory(raw, [new EncryptionCodec(testPayloadKeys)]));
      for (const secret of secrets) expect(seenWithKey, secret).toContain(secret);
      // A worker with the key replays the encrypted history as it is; one without, the history as `saveHistory`
      // keeps it (decoded with the client's codecs, to JSON and back, as test/replay.test.ts reads it).
      const workflowBundle = { codePath: inject('workflowBundlePath') };
      await Worker.runReplayHistory({ workflowBundle, dataConverter: testDataConverter }, raw);
      const kept = historyToJSON(await decodeHistory(raw, service.client.options.loadedDataConverter.payloadCodecs));
      await Worker.runReplayHistory({ workflowBundle }, historyFromJSON(JSON.parse(kept)));
    },
  );
});

const utf8 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const json = (value: unknown): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});
const key = (id: string) => ({ id, key: randomBytes(32) });

describe('payload keys', () => {
  const old = key('2026-12');
  const next = key('2027-06');
  const visitor = json({ email: 'ada@example.com' });

  it('rotate by id: a payload under the old key still decodes with the new key first, which now encrypts', async () => {
    const [sealed] = await new EncryptionCodec([old]).encode([visitor]);
    expect(utf8(sealed.metadata?.encoding)).toBe('binary/encrypted');
    expect(utf8(sealed.metadata?.[KEY_ID])).toBe('2026-12');
    expect(utf8(sealed.data)).not.toContain('ada@example.com');

    const rotated = new EncryptionCodec([next, old]);
    const [opened] = await rotated.decode([sealed]);
    expect(utf8(opened.metadata?.encoding)).toBe('json/plain');
    expect(JSON.parse(utf8(opened.data))).toEqual({ email: 'ada@example.com' });
    const [resealed] = await rotated.encode([visitor]);
    expect(utf8(resealed.metadata?.[KEY_ID])).toBe('2027-06');
  });

  it('come from TEMPORAL_PAYLOAD_KEYS, first the one that encrypts', async () => {
    const listed = [next, old].map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
    const keys = loadConfig({ TEMPORAL_PAYLOAD_KEYS: listed }).temporal.payloadKeys;
    expect(keys.map(({ id }) => id)).toEqual(['2027-06', '2026-12']);
    const [sealed] = await new EncryptionCodec([old]).encode([visitor]);
    const [opened] = await new EncryptionCodec(keys).decode([sealed]);
    expect(JSON.parse(utf8(opened.data))).toEqual({ email: 'ada@example.com' });
  });

  it('refuse a payload under a key id they do not hold, naming it and the ids they hold', async () => {
    const [sealed] = await new EncryptionCodec([old]).encode([visitor]);
    await expect(new EncryptionCodec([next]).decode([sealed])).rejects.toThrow(
      'a Temporal payload is encrypted with key "2026-12", which TEMPORAL_PAYLOAD_KEYS does not hold (it holds: 2027-06)',
    );
  });

  it('refuse a payload altered, or relabelled with another key id', async () => {
    const [sealed] = await new EncryptionCodec([old]).encode([visitor]);
    const altered = Buffer.from(sealed.data ?? []);
    altered[20] ^= 1;
    const codec = new EncryptionCodec([old, { id: 'other', key: old.key }]);
    await expect(codec.decode([{ ...sealed, data: altered }])).rejects.toThrow(/does not decrypt with key "2026-12"/);
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID]: Buffer.from('other') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/does not decrypt with key "other"/);
  });

  it('pass payloads in clear through, as visits from before encryption and the saved histories hold', async () => {
    expect(await new EncryptionCodec([next]).decode([visitor])).toEqual([visitor]);
  });

  it('none: nothing is encrypted (development without TEMPORAL_PAYLOAD_KEYS)', async () => {
    expect(await new EncryptionCodec([]).encode([visitor])).toEqual([visitor]);
  });
});
