// Signing a booker in at an OpenID Connect provider (GOV.UK One Login in production), against a real one: panva's
// oidc-provider, served on a port of its own, with this service registered as its client and people it knows. The
// provider's login and consent pages are replaced by a step that signs in whoever the test names (or cancels); the
// browser is fetch with a cookie jar, following each redirect by hand.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queries } from '../activities/readModel/queries';
import { createBookerOidc } from '../api/bookerOidc';
import { createLog } from '../api/log';
import { sessionHashOf } from '../api/session';
import { loadConfig } from '../config';
import { ONE_LOGIN_CALLBACK, ONE_LOGIN_START } from '../ui/oneLogin';
import { serve } from './browser';
import { eventually, startTestService, testApp, type TestService } from './harness';

const CLIENT_ID = 'prison-visits';
const CLIENT_SECRET = randomBytes(24).toString('base64url');

let service: TestService;

beforeAll(async () => {
  service = await startTestService('booker-oidc');
});
afterAll(async () => {
  await Promise.all(sites.map((site) => site.close()));
  await service?.close();
});

/** The people the provider knows, by their account id there: the claims it vouches for. */
const people = new Map<string, { email?: string; email_verified?: boolean }>();
/** What the person at the provider's login does next: sign in as an account, or cancel. */
let atLogin: { accountId: string } | 'cancel' = 'cancel';

/** The provider's login and consent, done at once as `atLogin` says. */
async function interact(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (atLogin === 'cancel') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'cancelled' });
    return;
  }
  const grant = new provider.Grant({ accountId: atLogin.accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  await provider.interactionFinished(req, res, {
    login: { accountId: atLogin.accountId },
    consent: { grantId: await grant.save() },
  });
}

interface SignInSite {
  /** The service, served with the provider configured. */
  base: string;
  /** The paths asked of the provider, in order. */
  providerPaths: string[];
  close(): Promise<void>;
}
const sites: SignInSite[] = [];

/**
 * The service served on a port, configured (by config.ts, as the API process is) with a provider of its own on
 * another. `emailInIdToken`: the provider puts the address in the ID token; else (as GOV.UK One Login does) only
 * its userinfo endpoint gives it.
 */
async function signInSite({ emailInIdToken }: { emailInIdToken: boolean }): Promise<SignInSite> {
  // The service's address is the provider's client's redirect URI, and the provider's the service's issuer: the
  // service is served first, and made once the provider is.
  const made: { app?: ReturnType<typeof testApp> } = {};
  const served = await serve((request) => made.app?.fetch(request) ?? new Response(null, { status: 503 }));
  const providerServer = createServer();
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [served.base + ONE_LOGIN_CALLBACK],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: !emailInIdToken,
    findAccount: (_ctx, id) =>
      people.has(id) ? { accountId: id, claims: () => ({ sub: id, ...people.get(id) }) } : undefined,
    features: { devInteractions: { enabled: false } },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  const handle = provider.callback();
  const providerPaths: string[] = [];
  providerServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    providerPaths.push(new URL(req.url ?? '/', issuer).pathname);
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    interact(provider, req, res).catch((error: Error) => {
      res.statusCode = 500;
      res.end(error.message);
    });
  });
  const config = loadConfig({
    BOOKER_OIDC_ISSUER: issuer,
    BOOKER_OIDC_CLIENT_ID: CLIENT_ID,
    BOOKER_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    PUBLIC_URL: served.base,
  });
  if (!config.bookerOidc) throw new Error('the provider’s settings were not taken');
  const log = createLog('error', () => undefined);
  made.app = testApp({
    db: service.db,
    temporal: service.client,
    taskQueue: service.taskQueue,
    // The service's own secret: a session begun here is open to its API too.
    session: { secret: service.secret },
    bookerOidc: createBookerOidc({ ...config.bookerOidc, redirectUri: config.publicUrl + ONE_LOGIN_CALLBACK }, log),
  });
  const site = {
    base: served.base,
    providerPaths,
    async close() {
      await served.close();
      providerServer.closeAllConnections();
      await new Promise<void>((done) => providerServer.close(() => done()));
    },
  };
  sites.push(site);
  return site;
}

/** A browser, as far as these tests need one: cookies kept per origin, redirects followed by hand. */
function cookieJar() {
  const jars = new Map<string, Map<string, string>>();
  const jarOf = (url: URL) => {
    const jar = jars.get(url.origin) ?? new Map<string, string>();
    jars.set(url.origin, jar);
    return jar;
  };
  return {
    cookie: (origin: string, name: string) => jars.get(origin)?.get(name),
    async get(address: string): Promise<Response> {
      const url = new URL(address);
      const cookies = [...jarOf(url)].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';').map((part) => part.trim());
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
        const ended = attributes.some(
          (attribute) =>
            /^max-age=0$/i.test(attribute) ||
            (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()),
        );
        if (ended) jarOf(url).delete(name);
        else jarOf(url).set(name, value);
      }
      return response;
    },
  };
}
type Jar = ReturnType<typeof cookieJar>;

/**
 * Starts a sign-in at the site and follows the redirects through the provider (whose login does as `atLogin`
 * says) until it sends the browser back: the address it sends it back to, not yet visited.
 */
async function throughProvider(site: SignInSite, jar: Jar): Promise<URL> {
  let at = new URL(ONE_LOGIN_START, site.base);
  for (let hops = 0; hops < 10; hops++) {
    const response = await jar.get(at.href);
    expect([302, 303], `${at.href}: ${await response.clone().text()}`).toContain(response.status);
    at = new URL(response.headers.get('location') ?? '', at);
    if (at.href.startsWith(site.base + ONE_LOGIN_CALLBACK)) return at;
  }
  throw new Error(`the provider never sent the browser back: last at ${at.href}`);
}

/** The booker an open session's token signs in, by the store's session. */
async function bookerIdOfSession(token: string): Promise<string | undefined> {
  // A booker's token is `booker.` and a signed session id (api/bookers.ts).
  const hash = sessionHashOf(token.replace(/^booker\./, ''), { secret: service.secret });
  const found = await service.db
    .collection(queries.bookerSessionById.collection)
    .findOne(queries.bookerSessionById.filter(hash ?? '') as object);
  return found?.bookerId;
}

const bookerSessionCount = () => service.db.collection(queries.bookerSessionById.collection).countDocuments();
const accountOf = (address: string) => service.db.collection('bookers').findOne({ _id: address } as object);

/** A booker's session token, from a sign-in link e-mailed to the address. */
async function linkSignIn(address: string): Promise<string> {
  const asked = await service.call('POST', '/api/booker/sign-in', { body: { email: address } });
  expect(asked.status).toBe(202);
  const mail = await eventually(async () => service.mail.messages.find((m) => JSON.stringify(m.to).includes(address)));
  const code = /\/account\/sign-in\/([\w-]+)/.exec(mail.text ?? '')?.[1];
  const session = await service.call('POST', '/api/booker/session', { body: { code } });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return session.body.token as string;
}

describe('a booker signing in at GOV.UK One Login', () => {
  it('signs into the account a link to the same address signs into, the address read from userinfo as One Login sends it', async () => {
    const site = await signInSite({ emailInIdToken: false });
    const linkToken = await linkSignIn('olwen@test.example');
    people.set('olwen-at-provider', { email: 'Olwen@Test.Example', email_verified: true });
    atLogin = { accountId: 'olwen-at-provider' };
    const jar = cookieJar();
    const back = await throughProvider(site, jar);
    const signedIn = await jar.get(back.href);
    expect(signedIn.status, await signedIn.clone().text()).toBe(302);
    expect(signedIn.headers.get('location')).toBe('/account');
    expect(site.providerPaths).toContain('/me');

    const page = await jar.get(`${site.base}/account`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Your visits');
    expect(html).toContain('Signed in as olwen@test.example.');
    const token = jar.cookie(site.base, 'pvb_booker') ?? '';
    const account = await accountOf('olwen@test.example');
    expect(await bookerIdOfSession(token)).toBe(account?.bookerId);
    expect(await bookerIdOfSession(linkToken)).toBe(account?.bookerId);
    expect(await service.db.collection('bookers').countDocuments({ _id: 'olwen@test.example' } as object)).toBe(1);
    // The same session as a link's: the JSON API takes it as a bearer token.
    const viaApi = await service.call('GET', '/api/booker/account', { token });
    expect(viaApi.body).toMatchObject({ email: 'olwen@test.example' });
  });

  it('reads the address from the ID token when the provider puts it there, making the account', async () => {
    const site = await signInSite({ emailInIdToken: true });
    people.set('idris-at-provider', { email: 'idris@test.example', email_verified: true });
    atLogin = { accountId: 'idris-at-provider' };
    expect(await accountOf('idris@test.example')).toBeNull();
    const jar = cookieJar();
    const signedIn = await jar.get((await throughProvider(site, jar)).href);
    expect(signedIn.headers.get('location')).toBe('/account');
    expect(site.providerPaths).not.toContain('/me');
    const html = await (await jar.get(`${site.base}/account`)).text();
    expect(html).toContain('Signed in as idris@test.example.');
    const account = await accountOf('idris@test.example');
    expect(await bookerIdOfSession(jar.cookie(site.base, 'pvb_booker') ?? '')).toBe(account?.bookerId);
  });

  it('refuses an answer whose state is not the one its browser set out with, and the true answer after it', async () => {
    const site = await signInSite({ emailInIdToken: true });
    people.set('mallt-at-provider', { email: 'mallt@test.example', email_verified: true });
    atLogin = { accountId: 'mallt-at-provider' };
    const jar = cookieJar();
    const back = await throughProvider(site, jar);
    const forged = new URL(back);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    const sessionsBefore = await bookerSessionCount();

    const refused = await jar.get(forged.href);
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('We could not sign you in with GOV.UK One Login');
    expect(html).toContain('href="/account/sign-in"');
    expect(jar.cookie(site.base, 'pvb_booker')).toBeUndefined();
    // The browser's checks are used up by the first answer: the true one, after it, finds none.
    const replayed = await jar.get(back.href);
    expect(replayed.status).toBe(400);
    expect(jar.cookie(site.base, 'pvb_booker')).toBeUndefined();
    // An answer in a browser that never set out: nothing to check it against.
    expect((await cookieJar().get(back.href)).status).toBe(400);
    expect(await bookerSessionCount()).toBe(sessionsBefore);
    expect(await accountOf('mallt@test.example')).toBeNull();
  });

  it('tells a booker who cancels at the provider that they are not signed in, in Welsh too', async () => {
    const site = await signInSite({ emailInIdToken: true });
    atLogin = 'cancel';
    const jar = cookieJar();
    const back = await throughProvider(site, jar);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const refused = await jar.get(back.href);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('You did not finish signing in at GOV.UK One Login');
    const welsh = cookieJar();
    await welsh.get(`${site.base}/account/sign-in?lang=cy`);
    const inWelsh = await welsh.get((await throughProvider(site, welsh)).href);
    expect(inWelsh.status).toBe(400);
    expect(await inWelsh.text()).toContain('Nid oedd modd i ni eich mewngofnodi gyda GOV.UK One Login');
  });

  it('refuses an address the provider does not say it has verified, and a person with no address', async () => {
    const site = await signInSite({ emailInIdToken: false });
    people.set('unverified-at-provider', { email: 'unverified@test.example', email_verified: false });
    people.set('unsaid-at-provider', { email: 'unsaid@test.example' });
    people.set('no-address-at-provider', {});
    const sessionsBefore = await bookerSessionCount();
    for (const accountId of ['unverified-at-provider', 'unsaid-at-provider', 'no-address-at-provider']) {
      atLogin = { accountId };
      const jar = cookieJar();
      const refused = await jar.get((await throughProvider(site, jar)).href);
      expect(refused.status, accountId).toBe(400);
      expect(await refused.text()).toContain('did not give us a confirmed email address');
      expect(jar.cookie(site.base, 'pvb_booker')).toBeUndefined();
    }
    expect(await accountOf('unverified@test.example')).toBeNull();
    expect(await accountOf('unsaid@test.example')).toBeNull();
    expect(await bookerSessionCount()).toBe(sessionsBefore);
  });

  it('offers One Login on the sign-in page only where a provider is configured; elsewhere its start is not found', async () => {
    const site = await signInSite({ emailInIdToken: true });
    const offered = await (await fetch(`${site.base}/account/sign-in`)).text();
    expect(offered).toContain(`href="${ONE_LOGIN_START}"`);
    expect(offered).toContain('Sign in with GOV.UK One Login');

    const plain = await service.app.request('/account/sign-in');
    expect(await plain.text()).not.toContain(ONE_LOGIN_START);
    for (const path of [ONE_LOGIN_START, `${ONE_LOGIN_CALLBACK}?code=x&state=y`]) {
      const answer = await service.app.request(path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('set-cookie') ?? '').not.toContain('pvb_booker');
    }
  });
});

describe('the One Login settings', () => {
  const issuer = 'https://oidc.integration.account.gov.uk/';

  it('need the issuer, client id and secret together, naming the one missing', () => {
    expect(() => loadConfig({ BOOKER_OIDC_ISSUER: issuer, BOOKER_OIDC_CLIENT_ID: 'visits' })).toThrow(
      /BOOKER_OIDC_CLIENT_SECRET: is required with BOOKER_OIDC_ISSUER/,
    );
    expect(() => loadConfig({ BOOKER_OIDC_CLIENT_SECRET: 'secret' })).toThrow(/BOOKER_OIDC_ISSUER: is required/);
    expect(loadConfig({}).bookerOidc).toBeUndefined();
    const all = { BOOKER_OIDC_ISSUER: issuer, BOOKER_OIDC_CLIENT_ID: 'visits', BOOKER_OIDC_CLIENT_SECRET: 'secret' };
    expect(loadConfig(all).bookerOidc).toEqual({
      issuer,
      clientId: 'visits',
      clientSecret: 'secret',
      scopes: 'openid email',
    });
    expect(() => loadConfig({ ...all, BOOKER_OIDC_SCOPES: 'email' })).toThrow(
      /BOOKER_OIDC_SCOPES: must include openid/,
    );
  });

  it('take an http issuer only on this machine, and never in production', () => {
    const given =
      (url: string, env = 'development') =>
      () =>
        loadConfig({
          NODE_ENV: env,
          BOOKER_OIDC_ISSUER: url,
          BOOKER_OIDC_CLIENT_ID: 'visits',
          BOOKER_OIDC_CLIENT_SECRET: 'secret',
        });
    expect(given('http://127.0.0.1:4000')).not.toThrow();
    expect(given('http://oidc.example')).toThrow(/BOOKER_OIDC_ISSUER: must be an https:\/\/ URL/);
    expect(given('http://127.0.0.1:4000', 'production')).toThrow(/BOOKER_OIDC_ISSUER: must be an https:\/\/ URL/);
  });
});
