// A real browser for the page tests: Debian's Chromium driven by playwright-core, with axe-core run inside it.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const axeSource = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
const ARTEFACTS = 'test/artefacts';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Serves an app on a free port of 127.0.0.1; returns its base URL and a way to stop it. */
export async function serve(fetch: (request: Request) => Response | Promise<Response>) {
  const server: Server = createServer(getRequestListener(fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** An app served on 127.0.0.1 with a browser to visit it. */
export interface Site {
  base: string;
  browser: Browser;
  /** A page in a new browser context (its own cookies). */
  page(options?: BrowserContextOptions): Promise<Page>;
  /** A page signed in to the staff pages as this user. */
  signIn(email: string, password: string): Promise<Page>;
  close(): Promise<void>;
}

export async function openSite(fetch: (request: Request) => Response | Promise<Response>): Promise<Site> {
  const served = await serve(fetch);
  const browser = await launchBrowser();
  const page = async (options: BrowserContextOptions = {}) =>
    (await browser.newContext({ baseURL: served.base, ...options })).newPage();
  return {
    base: served.base,
    browser,
    page,
    async signIn(email, password) {
      const signedIn = await page();
      await signedIn.goto('/staff/sign-in');
      await signedIn.fill('#email', email);
      await signedIn.fill('#password', password);
      await signedIn.getByRole('button', { name: 'Sign in' }).click();
      return signedIn;
    },
    async close() {
      await browser.close();
      await served.close();
    },
  };
}

/** Checks the page against WCAG 2.2 A and AA with axe-core, and keeps a screenshot of it. */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTEFACTS}/${name}.png`, fullPage: true });
  await page.evaluate(axeSource); // evaluated through the DevTools protocol, so the page's CSP stays strict
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: Document,
            options: object,
          ) => Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
  expect(violations, `${name}: ${page.url()}`).toEqual([]);
}
