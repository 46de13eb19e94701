// GOV.UK Frontend's styles, scripts, fonts and images, served from the package itself, and the pages' own script.
import { relative, join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

const govuk = relative(process.cwd(), join(import.meta.dirname, '../node_modules/govuk-frontend/dist/govuk'));
const ours = relative(process.cwd(), join(import.meta.dirname, 'assets'));
const cached = {
  onFound: (_path: string, c: { header(name: string, value: string): void }) =>
    c.header('Cache-Control', 'public, max-age=86400'),
};

export function assetRoutes() {
  return new Hono()
    .use('/assets/*', serveStatic({ root: govuk, rewriteRequestPath: (path) => path, ...cached }))
    .get('/stylesheets/govuk-frontend.min.css', serveStatic({ path: join(govuk, 'govuk-frontend.min.css'), ...cached }))
    .get('/javascripts/govuk-frontend.min.js', serveStatic({ path: join(govuk, 'govuk-frontend.min.js'), ...cached }))
    .get('/javascripts/app.mjs', serveStatic({ path: join(ours, 'app.mjs'), ...cached }));
}
