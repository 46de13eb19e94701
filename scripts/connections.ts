// Connections to MongoDB and Temporal, made the same way by every process.
import { Client, Connection } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import type { Config } from '../config';

/** A MongoDB client that fails fast (5 s) when the server is down, so callers can answer 503. */
export function connectMongo(config: Pick<Config, 'mongo'>): { mongo: MongoClient; db: Db } {
  const mongo = new MongoClient(config.mongo.uri, { serverSelectionTimeoutMS: 5000 });
  return { mongo, db: mongo.db() };
}

/** A Temporal client that connects on first use, so the API starts (and says 503) while Temporal is down. */
export function temporalClient(config: Pick<Config, 'temporal'>): Client {
  const connection = Connection.lazy({ address: config.temporal.address });
  return new Client({ connection, namespace: config.temporal.namespace });
}
