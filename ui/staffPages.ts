// The staff workspace: sign in and out, the queue of a prison, a visit with its decision form, the day's booked
// visits, the processed requests, search, assisted entry, the dashboard and the policy preview. Signed in by the
// session cookie; every form carries a CSRF token tied to the session; every page checks the user's prisons, as
// the API does. Each feature is its own file under staff/.
import { Hono } from 'hono';
import type { Services } from '../api/services';
import { assistedPages } from './staff/assisted';
import { bookedPages } from './staff/booked';
import { dashboardPages } from './staff/dashboard';
import { policyPreviewPages } from './staff/policyPreview';
import { processedPages } from './staff/processed';
import { queuePages } from './staff/queue';
import { searchPages } from './staff/search';
import { signInPages } from './staff/signIn';
import { visitPages } from './staff/visit';

export function staffPages(services: Services) {
  return new Hono()
    .route('/', signInPages(services))
    .route('/', queuePages(services))
    .route('/', visitPages(services))
    .route('/', processedPages(services))
    .route('/', searchPages(services))
    .route('/', bookedPages(services))
    .route('/', assistedPages(services))
    .route('/', dashboardPages(services))
    .route('/', policyPreviewPages(services));
}
