// The client of the OpenID Connect provider bookers may sign in with (GOV.UK One Login), by openid-client: the
// provider's metadata discovered once, the authorization code flow with PKCE, a state and a nonce, and the e-mail
// address it vouches for, from the ID token or else (as One Login sends it) from the userinfo endpoint. What the
// browser carries between the two legs, and the pages, are ui/oneLogin.ts's.
import * as oidc from 'openid-client';
import type { Locale } from '../rules/vocabulary';
import type { Log } from './log';

/** This service's client at the provider (config.ts: BOOKER_OIDC_*), and where the provider sends the booker back. */
export interface BookerOidcSettings {
  issuer: string;
  clientId: string;
  /** Sent as client_secret_basic. */
  clientSecret: string;
  /** Space-separated; `openid` among them. */
  scopes: string;
  /** The callback's address as registered at the provider: {PUBLIC_URL}/account/sign-in/one-login/callback. */
  redirectUri: string;
}

/** What one sign-in must find again when the provider sends the booker back: kept by the booker's browser alone. */
export interface OidcChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** How a sign-in at the provider ended: the address it vouches for, or why there is none. */
export type OidcOutcome =
  | { email: string }
  | {
      /**
       * `refused`: the provider answered with an error (the booker cancelled, or it could not sign them in);
       * `no_email`: no address, or one the provider says is not verified; `failed`: anything else (a state, nonce or
       * code that does not match, a token that does not verify, a provider that did not answer).
       */
      failure: 'refused' | 'no_email' | 'failed';
    };

/** How long the provider has to answer each request. */
const TIMEOUT_SECONDS = 10;

export function createBookerOidc(settings: BookerOidcSettings, log: Log) {
  let discovered: Promise<oidc.Configuration> | undefined;

  /** The provider's metadata, fetched at the first sign-in and kept; fetched again after a failure. */
  function configuration(): Promise<oidc.Configuration> {
    discovered ??= oidc
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        oidc.ClientSecretBasic(settings.clientSecret),
        {
          timeout: TIMEOUT_SECONDS,
          // config.ts lets an http:// issuer through only outside production, on this machine (a provider in a test).
          execute: new URL(settings.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  }

  return {
    /**
     * Where to send the booker to sign in, and the checks their browser keeps until they are back; undefined if the
     * provider does not answer.
     */
    async start(locale: Locale): Promise<{ url: URL; checks: OidcChecks } | undefined> {
      let config: oidc.Configuration;
      try {
        config = await configuration();
      } catch (error) {
        log.warn('the sign-in provider did not answer its discovery', { error: (error as Error).name });
        return undefined;
      }
      const checks = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce,
        ui_locales: locale,
      });
      return { url, checks };
    },

    /**
     * The booker is back with the provider's answer (`query`, the callback's query string): checks it against what
     * their browser kept, swaps the code for tokens and reads the verified e-mail address.
     */
    async finish(query: string, checks: OidcChecks): Promise<OidcOutcome> {
      try {
        const config = await configuration();
        // The answer is read as if at the registered address, whatever address a proxy handed this process: the code
        // is swapped with that address as its redirect_uri.
        const answer = new URL(settings.redirectUri);
        answer.search = query;
        const tokens = await oidc.authorizationCodeGrant(config, answer, {
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          pkceCodeVerifier: checks.codeVerifier,
        });
        const idToken = tokens.claims();
        if (!idToken) return { failure: 'failed' };
        const claims =
          idToken.email === undefined ? await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub) : idToken;
        // An address the provider does not say it has verified could be anyone's: it signs nobody in.
        if (typeof claims.email !== 'string' || claims.email_verified !== true) {
          return { failure: 'no_email' };
        }
        return { email: claims.email };
      } catch (error) {
        if (error instanceof oidc.AuthorizationResponseError) {
          log.info('the sign-in provider refused a sign-in', { error: error.error });
          return { failure: 'refused' };
        }
        const { name, code } = error as oidc.ClientError;
        log.warn('a sign-in at the provider failed', { error: name, ...(code ? { code } : {}) });
        return { failure: 'failed' };
      }
    },
  };
}

export type BookerOidc = ReturnType<typeof createBookerOidc>;
