// A booker asked to sign in: e-mail them a one-time link. Started by the sign-in page and the API
// (api/bookers.ts) with an id of the account, so that asking again within a minute joins the request already made
// and sends nothing more; the address itself is never in the history (the activity reads it from the account).
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Locale } from '../rules/vocabulary';

export interface SignInLinkInput {
  bookerId: string;
  locale: Locale;
}

// As the visit's own e-mails: a mail provider that is down is retried with back-off; the outbox makes it safe.
const { sendSignInLink } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** How long a request for a sign-in link holds its id after sending: at most one e-mail a minute per account. */
export const SIGN_IN_REPEAT_WINDOW = '1 minute';

export const signInWorkflowId = (bookerId: string) => `sign-in-${bookerId}`;

export async function signInLink(input: SignInLinkInput): Promise<void> {
  await sendSignInLink({ ...input, key: `sign-in-${workflowInfo().runId}` });
  await sleep(SIGN_IN_REPEAT_WINDOW);
}
