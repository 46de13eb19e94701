// A visitor asked for a new link to their visit: e-mail one, if the address they typed is the visit's. Started by
// the visit's page (workflows/client.ts) with an id of the visit and the address, so that a form sent twice, or again
// within a few minutes, joins the request already made and sends nothing more.
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';

export interface VisitLinkInput {
  reference: string;
  /** `linkAddressHash` of the reference and the address typed: the address itself is never in the history. */
  addressHash: string;
}

// As the visit's own e-mails: a mail provider that is down is retried with back-off; the outbox makes it safe.
const { sendVisitLink } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** How long a request for a link holds its id after sending: at most one e-mail in this time per visit and address. */
export const REPEAT_WINDOW = '5 minutes';

export async function visitLink(input: VisitLinkInput): Promise<void> {
  await sendVisitLink({ ...input, key: `link-${workflowInfo().runId}` });
  await sleep(REPEAT_WINDOW);
}
