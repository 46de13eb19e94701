// Every query the service asks of its store, and the top-level fields each filters on: the one place that says which
// indexes the store needs (`indexes.ts` makes them). On MongoDB each is a compound index, with its sort; on FerretDB
// over PostgreSQL each is also a GIN expression index, the only kind that FerretDB's pushed-down filters
// (`_jsonb->'field' @> value`) can use. FerretDB never pushes down a filter on a nested field, a range or `$in`, and
// reads every document that the pushed-down part matches: so each query names top-level fields for equality, and
// anything else it asks narrows an already small set (docs/decisions/0010).
export interface Query<Filter extends (...args: never[]) => object = (...args: never[]) => object> {
  collection:
    | 'visits'
    | 'outbox'
    | 'staff'
    | 'signInAttempts'
    | 'sessions'
    | 'journeyEvents'
    | 'feedback'
    | 'readModelInfo'
    | 'visitLinks'
    | 'slotPlaces'
    | 'bookers'
    | 'signInLinks'
    | 'bookerSessions'
    | 'visitingOrderEntries'
    | 'visitingOrderBalances'
    | 'blockedDates';
  /** The top-level fields compared for equality, which the index covers. */
  fields: string[];
  /** The order asked for, for MongoDB's index (FerretDB sorts in its own process). */
  sort?: Record<string, 1 | -1>;
  /** The filter, from the query's arguments. */
  filter: Filter;
}

const query = <Q extends Query>(definition: Q) => definition;

export const queries = {
  /** A visit by its reference: every command, the visitor's page, the staff's visit page, each save. */
  visitByReference: query({
    collection: 'visits',
    fields: ['_id'],
    filter: (reference: string) => ({ _id: reference }),
  }),
  /** A prison's requests to decide (and their count), oldest first. */
  queue: query({
    collection: 'visits',
    fields: ['prisonId', 'status'],
    sort: { submittedAt: 1 },
    filter: (prisonId: string) => ({ prisonId, status: 'requested' as const }),
  }),
  /** A prison's visitor cancellations still to be confirmed in its own records. */
  cancellationsToConfirm: query({
    collection: 'visits',
    fields: ['prisonId', 'cancellationToConfirm'],
    sort: { submittedAt: 1 },
    filter: (prisonId: string) => ({ prisonId, cancellationToConfirm: true }),
  }),
  /** A booker's visits, newest first: "Your visits". */
  visitsOfBooker: query({
    collection: 'visits',
    fields: ['bookerId'],
    sort: { submittedAt: -1 },
    filter: (bookerId: string) => ({ bookerId }),
  }),
  /** A prisoner's visits, newest first: the staff's search. */
  prisonerVisits: query({
    collection: 'visits',
    fields: ['prisonerNumber'],
    sort: { submittedAt: -1 },
    filter: (prisonerNumber: string) => ({ prisonerNumber }),
  }),
  /** A prisoner's visits still open (requested, or booked and not yet over): a change to their record reaches these. */
  openVisitsOfPrisoner: query({
    collection: 'visits',
    // A prisoner has few visits: the index on the number finds them, and `open` narrows those.
    fields: ['prisonerNumber'],
    filter: (prisonerNumber: string) => ({ prisonerNumber, open: true }),
  }),
  /** A prison's visits flagged by changes to the prisoner's record: "needs review", soonest first. */
  reviewList: query({
    collection: 'visits',
    fields: ['prisonId', 'needsReview'],
    sort: { slotGranted: 1 },
    filter: (prisonId: string) => ({ prisonId, needsReview: true }),
  }),
  /** A prisoner's other visits: the eligibility check's earlier visits. */
  earlierVisits: query({
    collection: 'visits',
    fields: ['prisonerNumber'],
    filter: (prisonerNumber: string, exceptReference: string) => ({ prisonerNumber, _id: { $ne: exceptReference } }),
  }),
  /** The visits booked at a prison on a day: the day's list, places left in a slot. */
  bookedOnDay: query({
    collection: 'visits',
    fields: ['prisonId', 'slotDate'],
    sort: { slotGranted: 1 },
    filter: (prisonId: string, date: string) => ({ prisonId, slotDate: date, status: 'booked' as const }),
  }),
  /** The requests decided at a prison on a day: the processed list. */
  decidedOnDay: query({
    collection: 'visits',
    fields: ['prisonId', 'decidedOn'],
    filter: (prisonId: string, date: string) => ({ prisonId, decidedOn: date }),
  }),
  /** The visits submitted on a day at a prison, or at every prison: the performance dashboard. */
  submittedOnDay: query({
    collection: 'visits',
    fields: ['submittedOn', 'prisonId'],
    filter: (date: string, prisonId?: string) => ({ submittedOn: date, ...(prisonId ? { prisonId } : {}) }),
  }),
  /** Visits whose story ended on a day and still hold personal data: retention. */
  dueForAnonymising: query({
    collection: 'visits',
    fields: ['finishedOn', 'anonymised'],
    filter: (date: string) => ({ finishedOn: date, anonymised: false }),
  }),
  emailById: query({ collection: 'outbox', fields: ['_id'], filter: (id: string) => ({ _id: id }) }),
  emailsOfVisit: query({
    collection: 'outbox',
    fields: ['reference'],
    filter: (reference: string) => ({ reference }),
  }),
  staffByEmail: query({ collection: 'staff', fields: ['_id'], filter: (email: string) => ({ _id: email }) }),
  staffOfPrison: query({
    collection: 'staff',
    fields: ['role', 'prisons'],
    filter: (prisonId: string) => ({ role: 'staff' as const, prisons: prisonId }),
  }),
  /** The sign-in attempts counted against one limit (api/signInThrottle.ts), by a keyed hash: never an address. */
  signInAttempts: query({ collection: 'signInAttempts', fields: ['key'], filter: (key: string) => ({ key }) }),
  /** The sign-in attempts of one 15-minute window (its number since 1970), swept once it has passed. */
  signInAttemptsOfWindow: query({
    collection: 'signInAttempts',
    fields: ['window'],
    filter: (window: number) => ({ window }),
  }),
  /** A staff session by the hash of its id: every signed-in request (api/session.ts). */
  sessionById: query({ collection: 'sessions', fields: ['_id'], filter: (idHash: string) => ({ _id: idHash }) }),
  /** The sessions of one account: ended together when its password changes, tidied at its sign-in. */
  sessionsOfStaff: query({ collection: 'sessions', fields: ['email'], filter: (email: string) => ({ email }) }),
  journeyStepsOfDay: query({
    collection: 'journeyEvents',
    fields: ['day', 'step'],
    filter: (day: string, step: string) => ({ day, step }),
  }),
  /** A step of one journey: recorded once, and a sent journey's start (activities/readModel/journeys.ts). */
  journeyStep: query({
    collection: 'journeyEvents',
    fields: ['journey', 'step'],
    filter: (journey: string, step: string) => ({ journey, step }),
  }),
  /** The journeys sent on a day that started on `startedFrom` or later: the dashboard's completed journeys. */
  journeysSentOfDay: query({
    collection: 'journeyEvents',
    fields: ['day', 'step'],
    filter: (day: string, startedFrom: string) => ({
      day,
      step: 'submitted' as const,
      startedOn: { $gte: startedFrom },
    }),
  }),
  /** A day's feedback: the dashboard's satisfaction and help awareness, and forgetting it once past keeping. */
  feedbackOfDay: query({ collection: 'feedback', fields: ['day'], filter: (day: string) => ({ day }) }),
  /** A day's feedback with a comment, newest first: what the admin role reads (ui/staff/feedback.ts). */
  feedbackWithCommentOfDay: query({
    collection: 'feedback',
    fields: ['day'],
    sort: { at: -1 },
    filter: (day: string) => ({ day, comment: { $ne: '' } }),
  }),
  readModelInfo: query({ collection: 'readModelInfo', fields: ['_id'], filter: (id: string) => ({ _id: id }) }),
  /**
   * An e-mailed link to a visit, by the SHA-256 of its code, if it is for this visit, unused and not expired: using
   * it (activities/readModel/visitLinks.ts).
   */
  visitLinkToUse: query({
    collection: 'visitLinks',
    fields: ['_id'],
    filter: (codeHash: string, reference: string, now: Date) => ({
      _id: codeHash,
      reference,
      usedAt: { $exists: false },
      expiresAt: { $gt: now },
    }),
  }),
  /** A booker account by its address, lower-cased: asking for a sign-in link (activities/readModel/bookers.ts). */
  bookerByEmail: query({ collection: 'bookers', fields: ['_id'], filter: (email: string) => ({ _id: email }) }),
  /** A booker account by its id: every signed-in page. */
  bookerById: query({ collection: 'bookers', fields: ['bookerId'], filter: (bookerId: string) => ({ bookerId }) }),
  /** A sign-in link by the SHA-256 of its code, if unused and not expired: signing in. */
  signInLinkToUse: query({
    collection: 'signInLinks',
    fields: ['_id'],
    filter: (codeHash: string, now: Date) => ({ _id: codeHash, usedAt: { $exists: false }, expiresAt: { $gt: now } }),
  }),
  /** A booker's sign-in links: the used and expired ones tidied when a new one is made. */
  signInLinksOfBooker: query({
    collection: 'signInLinks',
    fields: ['bookerId'],
    filter: (bookerId: string) => ({ bookerId }),
  }),
  /** A booker's sessions: the ended ones tidied at each sign-in (api/bookers.ts). */
  sessionsOfBooker: query({
    collection: 'bookerSessions',
    fields: ['bookerId'],
    filter: (bookerId: string) => ({ bookerId }),
  }),
  /** A booker's session by the hash of its id (api/bookers.ts). */
  bookerSessionById: query({
    collection: 'bookerSessions',
    fields: ['_id'],
    filter: (idHash: string) => ({ _id: idHash }),
  }),
  /** A slot's places by its id (`prisonId slot`): forgetting it when its workflow ends. */
  slotPlacesById: query({ collection: 'slotPlaces', fields: ['_id'], filter: (id: string) => ({ _id: id }) }),
  /** A slot's places if written before `version`: its workflow writing a newer count (activities/readModel/slotPlaces.ts). */
  slotPlacesOlderThan: query({
    collection: 'slotPlaces',
    fields: ['_id'],
    filter: (id: string, version: number) => ({ _id: id, version: { $lt: version } }),
  }),
  /** The places held in a prison's coming slots: the times offered to a visitor. */
  slotPlacesOfPrison: query({
    collection: 'slotPlaces',
    fields: ['prisonId'],
    filter: (prisonId: string) => ({ prisonId }),
  }),
  /** The dates and sessions a prison's staff blocked: every list of times offered (activities/readModel/blockedDates.ts). */
  blockedOfPrison: query({
    collection: 'blockedDates',
    fields: ['prisonId'],
    filter: (prisonId: string) => ({ prisonId }),
  }),
  /** A block by its id (`prisonId date session`): unblocking it, or finding it blocked already. */
  blockedDateById: query({ collection: 'blockedDates', fields: ['_id'], filter: (id: string) => ({ _id: id }) }),
  /** A prisoner's visiting-order ledger, newest first: the visiting-order page. */
  ledgerOfPrisoner: query({
    collection: 'visitingOrderEntries',
    fields: ['prisonerNumber'],
    sort: { at: -1 },
    filter: (prisonerNumber: string) => ({ prisonerNumber }),
  }),
  /** One entry of a ledger, by prisoner and key: is an adjustment written yet. */
  ledgerEntryById: query({
    collection: 'visitingOrderEntries',
    fields: ['_id'],
    filter: (id: string) => ({ _id: id }),
  }),
  /** A prisoner's visiting-order balance: the eligibility check, the visiting-order page. */
  balanceOfPrisoner: query({
    collection: 'visitingOrderBalances',
    fields: ['_id'],
    filter: (prisonerNumber: string) => ({ _id: prisonerNumber }),
  }),
  /** A balance if written before `version`: its ledger writing a newer one. */
  balanceOlderThan: query({
    collection: 'visitingOrderBalances',
    fields: ['_id'],
    filter: (prisonerNumber: string, version: number) => ({ _id: prisonerNumber, version: { $lt: version } }),
  }),
};

export type QueryName = keyof typeof queries;
