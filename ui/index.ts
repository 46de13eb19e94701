// The web pages, served by the same app as the API: the visitor's journey, their visit, and the service's pages,
// with GOV.UK Frontend's styles, scripts, fonts and images served from the package itself.
import { relative, join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Services } from '../api/services';
import { infoPages } from './infoPages';
import { requestPages } from './requestPages';
import { staffPages } from './staffPages';
import { visitPages } from './visitPages';

const govuk = relative(process.cwd(), join(import.meta.dirname, '../node_modules/govuk-frontend/dist/govuk'));
const ours = relative(process.cwd(), join(import.meta.dirname, 'assets'));
const cached = {
  onFound: (_path: string, c: { header(name: string, value: string): void }) =>
    c.header('Cache-Control', 'public, max-age=86400'),
};

export function uiRoutes(services: Services) {
  return new Hono()
    .use('/assets/*', serveStatic({ root: govuk, rewriteRequestPath: (path) => path, ...cached }))
    .get('/stylesheets/govuk-frontend.min.css', serveStatic({ path: join(govuk, 'govuk-frontend.min.css'), ...cached }))
    .get('/javascripts/govuk-frontend.min.js', serveStatic({ path: join(govuk, 'govuk-frontend.min.js'), ...cached }))
    .get('/javascripts/app.mjs', serveStatic({ path: join(ours, 'app.mjs'), ...cached }))
    .route('/', requestPages(services))
    .route('/', visitPages(services))
    .route('/', infoPages(services))
    .route('/', staffPages(services));
}
