// The workflows a worker runs, bundled from this file.
export { visitRequest } from './visitRequest';
