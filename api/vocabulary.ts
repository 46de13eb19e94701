// The domain's words, spelt the same in the workflow, the database, the API, the pages and the metrics.
import { z } from 'zod';

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

export const visitorOutcome = z.enum(['allowed', 'banned', 'not_on_list', 'other']);
