// What a visitor is told when the prisoner has no visiting orders left, in English and Welsh, with the date new ones
// are issued: the eligibility check's rejection and the booking's refusal say the same.
import { formatDate } from './dateWords';

export function noOrdersLeft(renewsOn: string | undefined): { explanation: string; explanationCy: string } {
  if (!renewsOn) {
    return {
      explanation: 'The prisoner has no visiting orders left.',
      explanationCy: 'Nid oes gan y carcharor unrhyw orchmynion ymweld ar ôl.',
    };
  }
  return {
    explanation: `The prisoner has no visiting orders left. New ones are issued on ${formatDate(renewsOn, 'en')}.`,
    explanationCy: `Nid oes gan y carcharor unrhyw orchmynion ymweld ar ôl. Bydd rhai newydd yn cael eu rhoi ar ${formatDate(renewsOn, 'cy', { weekday: false })}.`,
  };
}
