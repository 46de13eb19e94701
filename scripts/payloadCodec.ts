// Encryption of everything the client and the worker hand Temporal: workflow inputs and results, update and signal
// arguments and results, queries, memos, activity inputs and results, failures' details. Temporal's server, its
// database and its Web UI see ciphertext; search attributes are not payloads and stay in clear (this service sets
// none). Why, and how keys rotate: docs/decisions/0013.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { PayloadKey } from '../config';

// Temporal's protobufs as the SDK loads them (the version @temporalio/common pins): a CommonJS module whose names
// Node's ES module loader cannot see, so required.
const { api } = (createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto')).temporal;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (value: Uint8Array | null | undefined) => (value ? Buffer.from(value).toString('utf8') : undefined);

/**
 * AES-256-GCM over the whole payload (its metadata, such as `json/plain`, and its data), with the key's id in the
 * clear metadata and bound to the ciphertext. The first key encrypts; every key decrypts, chosen by that id, so keys
 * rotate by putting a new one first. Payloads that are not encrypted (visits started before this codec, the saved
 * histories in test/histories/) pass through. With no keys, nothing is encrypted.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly current: PayloadKey | undefined;

  constructor(keys: readonly PayloadKey[]) {
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    this.current = keys[0];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.current;
    if (!current) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(CIPHER, current.key, iv).setAAD(Buffer.from(current.id));
      const plain = api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID]: Buffer.from(current.id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID]) ?? '';
      const key = this.keys.get(id);
      if (!key) {
        const held = [...this.keys.keys()].join(', ') || 'none';
        throw new Error(
          `a Temporal payload is encrypted with key "${id}", which TEMPORAL_PAYLOAD_KEYS does not hold (it holds: ${held})`,
        );
      }
      const sealed = Buffer.from(payload.data ?? []);
      try {
        const decipher = createDecipheriv(CIPHER, key, sealed.subarray(0, IV_BYTES)).setAAD(Buffer.from(id));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
        return api.common.v1.Payload.decode(Buffer.concat([decipher.update(body), decipher.final()]));
      } catch (error) {
        const message = `a Temporal payload does not decrypt with key "${id}": altered, or another key under that id`;
        throw new Error(message, { cause: error });
      }
    });
  }
}

/** The data converter of every Temporal client and worker of the service: the codec over the SDK's JSON. */
export function dataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}

/** Whether a decoded message is a Payload: the protobufs are built by reflection, each message knowing its `$type`. */
const isPayload = (message: unknown): message is temporal.api.common.v1.Payload =>
  (message as { $type?: unknown } | null)?.$type === api.common.v1.Payload;

/** Every payload in a history (or any message of Temporal's), wherever it sits: inputs, results, failures, memos. */
export function payloadsIn(message: unknown): temporal.api.common.v1.Payload[] {
  if (isPayload(message)) return [message];
  if (Array.isArray(message)) return message.flatMap(payloadsIn);
  if (message && typeof message === 'object' && !ArrayBuffer.isView(message)) {
    return Object.values(message).flatMap(payloadsIn);
  }
  return [];
}

/**
 * A copy of a history (as `fetchHistory` gives it, encrypted) with every payload decoded by `codecs`, the last first
 * as the SDK decodes them: for keeping it in clear (test/histories/) or reading it.
 */
export async function decodeHistory(
  history: temporal.api.history.v1.IHistory,
  codecs: readonly PayloadCodec[],
): Promise<temporal.api.history.v1.History> {
  const copy = api.history.v1.History.decode(api.history.v1.History.encode(history).finish());
  const found = payloadsIn(copy);
  let decoded: Payload[] = found;
  for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
  found.forEach((payload, index) => {
    payload.metadata = decoded[index].metadata ?? {};
    payload.data = decoded[index].data ?? new Uint8Array();
  });
  return copy;
}
