// Links a page builds from the address it was asked for stay on the service: a request for `//evil.example/x` must
// not answer a page whose language link is `//evil.example/x?lang=cy`, which a phishing message could use.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from './browser';
import { startTestService, type TestService } from './harness';

let service: TestService;
let served: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  service = await startTestService('pageLinks');
  served = await serve(service.app.fetch);
});
afterAll(async () => {
  await served?.close();
  await service?.close();
});

/** GET of a raw request target, as a client writes it on the wire (fetch would tidy it). */
function get(target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(served.base);
  return new Promise((resolve, reject) => {
    const sent = request({ host: hostname, port, path: target }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject).end();
  });
}

const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1].replaceAll('&amp;', '&'));

describe('the language links of a page', () => {
  it.each(['//evil.example/x', '/\\evil.example/x', '///evil.example/x', '/help?x=//evil.example'])(
    'stay on the service when the path is %s',
    async (target) => {
      const { status, body } = await get(target);
      // Node's server refuses a backslash in a request target outright: no page, so no link to follow.
      if (target.includes('\\') && status === 400) return;
      const language = hrefs(body).filter((href) => href.includes('lang='));
      expect(language.length, 'the page has its language links').toBeGreaterThan(0);
      for (const href of language) {
        expect(href, 'a path on this service').toMatch(/^\/[^/\\]/);
        expect(new URL(href, served.base).host).toBe(new URL(served.base).host);
      }
    },
  );

  it('keep the page and its query', async () => {
    const { body } = await get('/help?x=1');
    expect(hrefs(body)).toContain('/help?x=1&lang=cy');
  });
});
