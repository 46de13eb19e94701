// A staff address that is no page: "Page not found" inside the staff layout, for someone signed in (so the page has
// their navigation); anyone else goes to sign in first, as on every staff page, and learns nothing of what exists.
import { Hono } from 'hono';
import { ProblemError } from '../../api/problem';
import type { Services } from '../../api/services';
import { staffAccess, type StaffPageEnv } from './common';

export function staffNotFoundPages(services: Services) {
  const { signedIn } = staffAccess(services);
  return new Hono<StaffPageEnv>().all('/staff/*', signedIn, () => {
    throw new ProblemError(404, 'not_found', 'There is nothing at this address.');
  });
}
