// Connections to MongoDB and Temporal, made the same way by every process.
import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import type { Config } from '../config';
import { dataConverter } from './payloadCodec';

/**
 * A MongoDB client that fails fast (5 s) when the server later goes down, so callers can answer 503. TLS comes from
 * the URI's own options (`tls=true&tlsCAFile=...&tlsCertificateKeyFile=...`), which nothing here overrides.
 */
export function mongoClient(config: Pick<Config, 'mongo'>): MongoClient {
  return new MongoClient(config.mongo.uri, { serverSelectionTimeoutMS: 5000 });
}

/** A connected `mongoClient`. Waits for the server at start: a client whose first connection failed stays closed. */
export async function connectMongo(config: Pick<Config, 'mongo'>): Promise<{ mongo: MongoClient; db: Db }> {
  const mongo = mongoClient(config);
  for (let attempt = 1; ; attempt++) {
    try {
      await mongo.connect();
      return { mongo, db: mongo.db() };
    } catch (error) {
      if (attempt === 1) console.warn('waiting for MongoDB...');
      if (attempt >= 60) throw error;
      await new Promise((wait) => setTimeout(wait, 1000));
    }
  }
}

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/**
 * What the client's Connection and the worker's NativeConnection are given: the address, and TLS (with the files it
 * names read now) and an API key when configured. A file that cannot be read stops the process, naming its variable.
 */
export function temporalConnectionOptions(config: Pick<Config, 'temporal'>): TemporalConnectionOptions {
  const { address, tls, apiKey } = config.temporal;
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new Error(`${variable}: cannot read ${path} (${reason})`, { cause: error });
    }
  };
  return {
    address,
    ...(tls && {
      tls: {
        ...(tls.caFile && { serverRootCACertificate: read('TEMPORAL_TLS_CA_FILE', tls.caFile) }),
        ...(tls.certFile &&
          tls.keyFile && {
            clientCertPair: {
              crt: read('TEMPORAL_TLS_CERT_FILE', tls.certFile),
              key: read('TEMPORAL_TLS_KEY_FILE', tls.keyFile),
            },
          }),
        ...(tls.serverName && { serverNameOverride: tls.serverName }),
      },
    }),
    ...(apiKey && { apiKey }),
  };
}

/**
 * A Temporal client that connects on first use, so the API starts (and says 503) while Temporal is down. What it
 * hands Temporal is encrypted with TEMPORAL_PAYLOAD_KEYS (scripts/payloadCodec.ts).
 */
export function temporalClient(config: Pick<Config, 'temporal'>): Client {
  const connection = Connection.lazy(temporalConnectionOptions(config));
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(config.temporal.payloadKeys),
  });
}
