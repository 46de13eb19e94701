// Recognising the errors that mean Temporal or MongoDB cannot be reached right now (answered with a 503).
import { isGrpcServiceError } from '@temporalio/client';
import {
  MongoNetworkError,
  MongoServerSelectionError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoTopologyClosedError,
} from 'mongodb';

// gRPC status codes: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE.
const unavailableGrpc = new Set<number>([4, 8, 14]);
// A socket's own errors, which the MongoDB driver passes on unwrapped when a server dies as a command is written
// ("This socket has been ended by the other party", EPIPE).
const socketErrors = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']);

/** Whether an error, or any error it wraps, says a backing server is down or too slow. */
export function isUnavailable(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current) && unavailableGrpc.has(current.code)) return true;
    if (
      current instanceof MongoNetworkError ||
      current instanceof MongoServerSelectionError ||
      current instanceof MongoNotConnectedError ||
      current instanceof MongoOperationTimeoutError ||
      current instanceof MongoTopologyClosedError ||
      socketErrors.has(String((current as NodeJS.ErrnoException).code)) ||
      current.name === 'TransportError' ||
      current.name === 'WorkflowUpdateRPCTimeoutOrCancelledError'
    ) {
      return true;
    }
  }
  return false;
}
