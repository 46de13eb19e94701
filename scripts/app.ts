// The composition root: the Hono app, every router of the API and the pages behind a few named middleware, wired in
// an order that reads top to bottom. The API answers errors as problem+json, the pages as pages.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { healthRoutes } from '../api/health';
import { auditStaffRoutes } from '../api/audit';
import { logRequests, type Log } from '../api/log';
import { bookerRoutes } from '../api/bookers';
import type { Services } from '../api/services';
import { accountPages } from '../ui/account';
import { oneLoginPages } from '../ui/oneLogin';
import { buildOpenApi, routes } from '../api/openapi';
import { policyRoutes } from '../api/policy';
import { holdRoutes } from '../api/holds';
import { prisonRoutes } from '../api/prisons';
import { rateLimit } from '../api/rateLimit';
import { problemOf, ProblemError, problemResponse, unavailable } from '../api/problem';
import { staffRoutes } from '../api/staff';
import { prisonerEventRoutes, prisonerRecordRoutes } from '../api/prisonerRecords';
import { blockedDateRoutes } from '../api/blockedDates';
import { visitRoutes } from '../api/visits';
import { isUnavailable } from '../api/unavailable';
import { assetRoutes } from '../ui/assets';
import { errorPage } from '../ui/errorPage';
import { infoPages } from '../ui/infoPages';
import { checkStep } from '../ui/request/check';
import { contactStep } from '../ui/request/contact';
import { prisonStep, startsAJourney } from '../ui/request/prison';
import { prisonerStep } from '../ui/request/prisoner';
import { slotsStep } from '../ui/request/slots';
import { visitorsStep } from '../ui/request/visitors';
import { assistedPages } from '../ui/staff/assisted';
import { blockedDatePages } from '../ui/staff/blockedDates';
import { bookedPages } from '../ui/staff/booked';
import { passPages } from '../ui/staff/pass';
import { dashboardPages } from '../ui/staff/dashboard';
import { feedbackPages } from '../ui/staff/feedback';
import { policyPreviewPages } from '../ui/staff/policyPreview';
import { staffNotFoundPages } from '../ui/staff/notFound';
import { processedPages } from '../ui/staff/processed';
import { queuePages } from '../ui/staff/queue';
import { searchPages } from '../ui/staff/search';
import { signInPages } from '../ui/staff/signIn';
import { staffVisitPages } from '../ui/staff/visit';
import { visitPages } from '../ui/visitPages';
import { NotValid, Refused } from '../workflows/client';

const MAX_BODY_BYTES = 64 * 1024;

/** The API's paths as patterns, to tell a wrong method (405) from a wrong address (404). */
const apiPaths = routes.map((route) => ({
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`),
  method: route.method.toUpperCase(),
}));

/** No route matched: 405 with the methods the path takes, if it is one of the API's, else 404. */
function notFound(c: Context): Response {
  const path = new URL(c.req.url).pathname;
  const allowed = apiPaths.filter((p) => p.pattern.test(path)).map((p) => p.method);
  if (allowed.length > 0) {
    const methods = [...new Set([...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])])].join(', ');
    return answer(
      c,
      new ProblemError(405, 'method_not_allowed', `This address takes ${methods}.`, undefined, { Allow: methods }),
    );
  }
  return answer(c, new ProblemError(404, 'not_found', 'There is nothing at this address.'));
}

/** An error as problem+json for the API, or as a page for a person. */
function answer(c: Context, error: ProblemError): Response {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith('/api/') || path === '/health' || path === '/openapi.json') return problemResponse(c, error);
  return errorPage(c, error);
}

function handleError(log: Log) {
  return (error: Error, c: Context) => {
    if (error instanceof ProblemError) return answer(c, error);
    if (error instanceof Refused || error instanceof NotValid) return answer(c, problemOf(error));
    if (isUnavailable(error)) {
      log.warn('backing server unavailable', { route: c.req.routePath, error: error.name });
      return answer(c, unavailable('A server the service needs is unavailable; try again shortly.'));
    }
    // The error's name only: a database's message can quote the values it was given.
    log.error('unexpected error', { route: c.req.routePath, error: error.name });
    return answer(c, new ProblemError(500, 'internal_error', 'Something went wrong on our side.'));
  };
}

/**
 * Every anonymous write, limited per client and minute (api/rateLimit.ts): a visit request, by the API or the
 * journey's send step; a place held (at the visit requests' rate); a journey begun, which the store counts; feedback. A visitor's withdraw or cancel needs the
 * visit's own access, so is not anonymous.
 */
function anonymousWriteLimits(services: Services) {
  const perMinute = (name: string, limit: number) =>
    rateLimit({ name, limit, windowMs: 60_000, trustedProxyHops: services.trustedProxyHops });
  const onlyPosts =
    (limit: MiddlewareHandler): MiddlewareHandler =>
    (c, next) =>
      c.req.method === 'POST' ? limit(c, next) : next();
  const starts = perMinute('journey starts', services.journeyStarts.perMinute);
  const journeyStarts: MiddlewareHandler = (c, next) =>
    startsAJourney(c, services.session.secret) ? starts(c, next) : next();
  return {
    visitRequests: onlyPosts(perMinute('visit requests', services.submissions.perMinute)),
    holds: onlyPosts(perMinute('place holds', services.submissions.perMinute)),
    journeyStarts,
    feedback: onlyPosts(perMinute('feedback forms', services.feedbackPosts.perMinute)),
  };
}

/** The static assets' paths (ui/assets.ts). */
const ASSETS = /^\/(assets|stylesheets|javascripts)\//;

/**
 * Caching, in one place: nothing the service answers is kept by a browser's or a proxy's cache (staff pages and their
 * event stream, a visitor's visit, the journey's answers and its cookie, every API answer) but the static assets
 * found, public for a day. Set here, after the answer is made: a header that serveStatic's `onFound` sets is too late.
 */
const caching: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Cache-Control', ASSETS.test(c.req.path) && c.res.ok ? 'public, max-age=86400' : 'no-store');
};

export function createApp(services: Services) {
  const openApi = buildOpenApi();
  const limits = anonymousWriteLimits(services);
  const staffAudit = auditStaffRoutes(services.db, services.log);
  return (
    new Hono()
      .use(logRequests(services.log))
      .use(caching)
      .use(
        secureHeaders({
          // The pages need no inline script but GOV.UK Frontend's one line, which carries a nonce.
          contentSecurityPolicy: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'", NONCE],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            fontSrc: ["'self'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
            baseUri: ["'self'"],
            objectSrc: ["'none'"],
          },
        }),
      )
      .use(
        bodyLimit({
          maxSize: MAX_BODY_BYTES,
          onError: () => {
            throw new ProblemError(413, 'body_too_large', `Send at most ${MAX_BODY_BYTES} bytes.`);
          },
        }),
      )
      .use('/api/visits', limits.visitRequests)
      .use('/api/holds', limits.holds)
      .on('POST', '/request/slots', limits.holds)
      .on('POST', '/request/check', limits.visitRequests)
      .on(['GET', 'POST'], '/request/prison', limits.journeyStarts)
      .on('POST', '/feedback', limits.feedback)
      // The audit trail of the staff routes, the API's and the pages' alike (api/audit.ts).
      .use('/api/staff/*', staffAudit)
      .use('/api/policy/*', staffAudit)
      .use('/staff/*', staffAudit)
      .route('/health', healthRoutes(services))
      .get('/openapi.json', (c) => c.json(openApi))
      .route('/api/prisons', prisonRoutes(services))
      .route('/api/visits', visitRoutes(services))
      .route('/api/holds', holdRoutes(services))
      .route('/api/booker', bookerRoutes(services))
      .route('/api/staff/prisons', blockedDateRoutes(services))
      .route('/api/staff', staffRoutes(services))
      .route('/api/staff', prisonerRecordRoutes(services))
      .route('/api/prisoner-events', prisonerEventRoutes(services))
      .route('/api/policy', policyRoutes(services))
      // The visitor's journey, a step a router: prison, prisoner, visitors, times, contact, check and send.
      .route('/', assetRoutes())
      .route('/', prisonStep(services))
      .route('/', prisonerStep(services))
      .route('/', visitorsStep(services))
      .route('/', slotsStep(services))
      .route('/', contactStep(services))
      .route('/', checkStep(services))
      // The visitor's own visit (by its private link), and the pages every service has.
      .route('/', visitPages(services))
      .route('/', oneLoginPages(services)) // before accountPages, whose /account/sign-in/:code it would match
      .route('/', accountPages(services))
      .route('/', infoPages(services))
      // The staff workspace, a feature a router; each page checks the user's prisons as the API does.
      .route('/', signInPages(services))
      .route('/', queuePages(services))
      .route('/', staffVisitPages(services))
      .route('/', processedPages(services))
      .route('/', searchPages(services))
      .route('/', bookedPages(services))
      .route('/', passPages(services))
      .route('/', assistedPages(services))
      .route('/', blockedDatePages(services))
      .route('/', dashboardPages(services))
      .route('/', feedbackPages(services))
      .route('/', policyPreviewPages(services))
      .route('/', staffNotFoundPages(services))
      .notFound(notFound)
      .onError(handleError(services.log))
  );
}
