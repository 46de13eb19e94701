// Connections to MongoDB and Temporal, made the same way by every process.
import { Client, Connection } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import type { Config } from '../config';

/**
 * A connected MongoDB client that fails fast (5 s) when the server later goes down, so callers can answer 503.
 * Waits for the server at start: a client whose first connection failed stays closed.
 */
export async function connectMongo(config: Pick<Config, 'mongo'>): Promise<{ mongo: MongoClient; db: Db }> {
  const mongo = new MongoClient(config.mongo.uri, { serverSelectionTimeoutMS: 5000 });
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

/** A Temporal client that connects on first use, so the API starts (and says 503) while Temporal is down. */
export function temporalClient(config: Pick<Config, 'temporal'>): Client {
  const connection = Connection.lazy({ address: config.temporal.address });
  return new Client({ connection, namespace: config.temporal.namespace });
}
