// The workflows a worker runs, bundled from this file.
export { visitRequest } from './visitRequest';
export { slotCapacity } from './slotCapacity';
export { retention } from './retention';
export { visitLink } from './visitLink';
export { placeHold } from './placeHold';
export { signInLink } from './signInLink';
export { visitingOrders } from './visitingOrders';
export { prisonerRecheck } from './prisonerRecheck';
