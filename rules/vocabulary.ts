// The domain's words, spelt the same in the workflow, the database, the API, the pages and the metrics. With
// ./shapes, the ground of the code: both import nothing of ours (docs/decisions/0012).
import { z } from 'zod';

/** The languages of the service's pages and e-mails. */
export const locale = z.enum(['en', 'cy']);
export type Locale = z.infer<typeof locale>;

export const visitStatus = z.enum(['requested', 'booked', 'rejected', 'withdrawn', 'cancelled']);
export type VisitStatus = z.infer<typeof visitStatus>;

export const rejectionReason = z.enum([
  'child_protection_issues',
  'no_allowance',
  'prisoner_details_incorrect',
  'prisoner_moved',
  'prisoner_non_association',
  'prisoner_released',
  'slot_unavailable',
  'visitor_banned',
  'visitor_not_on_list',
  'duplicate_visit_request',
  'prisoner_out_of_prison',
  'visitor_other_reason',
  'other',
  'request_expired',
]);
export type RejectionReason = z.infer<typeof rejectionReason>;

/** A channel's code: lower-case words joined by _, like in_person. */
export const channelCode = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** The channels a helper enters requests through, whatever the assisted-digital settings add. */
export const assistedChannels = ['phone', 'in_person', 'email', 'post'] as const;

/**
 * How a request reached the service: `web`, the visitors' web form, or the channel of a helper who entered it for
 * the visitor. A code rather than a fixed list, as the assisted-digital settings may add channels.
 */
export const channel = z
  .string()
  .regex(channelCode, 'must be a channel code, like in_person')
  .meta({
    description: `How the request arrived: web (the web form), or a helper's channel: ${assistedChannels.join(', ')}, or one the assisted-digital settings add`,
  });
export type Channel = z.infer<typeof channel>;

export const visitorOutcome = z.enum(['allowed', 'banned', 'not_on_list', 'other']);
export type VisitorOutcome = z.infer<typeof visitorOutcome>;

/** Why staff cancel a booked visit; `visitor_cancelled` is set by the system when the visitor cancels. */
export const cancellationReason = z.enum([
  'prisoner_vos',
  'prisoner_released',
  'child_protection_issues',
  'slot_unavailable',
  'visitor_banned',
  'prisoner_moved',
  'prisoner_non_association',
  'prisoner_cancelled',
  'booked_in_error',
  'capacity_issues',
  'visitor_cancelled',
]);
export type CancellationReason = z.infer<typeof cancellationReason>;

/** What a visitor may need at the visit, asked of every request: the prison prepares for it. */
export const supportNeed = z.enum([
  'wheelchair',
  'step_free_access',
  'hearing_loop',
  'sign_language',
  'assistance_dog',
  'other',
]);
export type SupportNeed = z.infer<typeof supportNeed>;
