// GOV.UK Frontend's styles, scripts, fonts and images, served from the package itself, and the pages' own script and
// the few styles GOV.UK Frontend has no component for.
// Their caching is set with every other answer's, in scripts/app.ts.
import { relative, join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

const govuk = relative(process.cwd(), join(import.meta.dirname, '../node_modules/govuk-frontend/dist/govuk'));
const ours = relative(process.cwd(), join(import.meta.dirname, 'assets'));

export function assetRoutes() {
  return new Hono()
    .use('/assets/*', serveStatic({ root: govuk, rewriteRequestPath: (path) => path }))
    .get('/stylesheets/govuk-frontend.min.css', serveStatic({ path: join(govuk, 'govuk-frontend.min.css') }))
    .get('/javascripts/govuk-frontend.min.js', serveStatic({ path: join(govuk, 'govuk-frontend.min.js') }))
    .get('/javascripts/app.mjs', serveStatic({ path: join(ours, 'app.mjs') }))
    .get('/javascripts/print.mjs', serveStatic({ path: join(ours, 'print.mjs') }))
    .get('/stylesheets/app.css', serveStatic({ path: join(ours, 'app.css') }))
    .get('/stylesheets/staff.css', serveStatic({ path: join(ours, 'staff.css') }));
}
