// What the routers of the API and the pages are given: the service's connections and settings, made once by the
// composition root (scripts/app.ts) and each process's entry point.
import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { PrisonerService } from '../activities/prisonerService';
import type { RuleBook } from '../rules/ruleBook';
import type { BookerOidc } from './bookerOidc';
import type { Log } from './log';
import type { SessionKeys } from './session';

export interface Services {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** How long a command may wait for Temporal before the API answers 503. */
  commandTimeoutMs: number;
  /** The prisons' rule files in force. */
  rules: RuleBook;
  session: SessionKeys;
  /** Mark cookies Secure (production, behind HTTPS). */
  secureCookies: boolean;
  /** The limit on visit requests from one client, per minute. */
  submissions: { perMinute: number };
  /** The limit on web journeys begun by one client (each is counted in the store), per minute. */
  journeyStarts: { perMinute: number };
  /** The limit on feedback sent by one client, per minute. */
  feedbackPosts: { perMinute: number };
  /** The limit on sign-in links asked for by one client, per 10 minutes (10 unless set). */
  signInLinks?: { perTenMinutes: number };
  /** Proxies in front of the service that append to X-Forwarded-For (api/clientAddress.ts). */
  trustedProxyHops: number;
  log: Log;
  /** The prisoner-information service, for a booker linking a prisoner; none where it is not configured. */
  prisonerService?: PrisonerService;
  /** The token of `POST /api/prisoner-events`; none: the endpoint takes no events. */
  prisonerEventsToken?: string;
  /** The OpenID Connect provider bookers may sign in with (GOV.UK One Login); none where it is not configured. */
  bookerOidc?: BookerOidc;
}
