import {
  MongoBulkWriteError,
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import type { StoreErrorCode } from '../errors/error-codes.js';

/** A failed store call, as a value: whether it is worth retrying decides retry versus dead-letter. */
export interface StoreError {
  readonly _tag: 'StoreError';
  readonly code: StoreErrorCode;
  readonly retryable: boolean;
  readonly message: string;
  readonly cause: unknown;
}

// Server codes that mean "not now" rather than "never": elections, shutdowns, timeouts, write conflicts.
const transientCodes = new Set([6, 7, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 50]);

export const storeErrorOf = (error: unknown): StoreError => {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) {
    return { _tag: 'StoreError', code: 'store-unreachable', retryable: true, message: error.message, cause: error };
  }
  // A bulkWrite that got no answer: the driver wraps the network error in a MongoBulkWriteError that
  // carries neither a server code nor a write error.
  if (
    error instanceof MongoBulkWriteError &&
    error.code === undefined &&
    error.err === undefined &&
    !error.result.hasWriteErrors()
  ) {
    return { _tag: 'StoreError', code: 'store-unreachable', retryable: true, message: error.message, cause: error };
  }
  if (error instanceof MongoServerError) {
    const retryable =
      transientCodes.has(Number(error.code)) ||
      error.hasErrorLabel('RetryableWriteError') ||
      error.hasErrorLabel('TransientTransactionError');
    return {
      _tag: 'StoreError',
      code: retryable ? 'store-transient' : 'store-rejected',
      retryable,
      message: `server code ${String(error.code ?? 'unknown')}: ${error.message}`,
      cause: error,
    };
  }
  if (error instanceof MongoError) {
    // Timeouts and pool resets surface as plain MongoErrors; only a closed client is final.
    const closed = error.name === 'MongoTopologyClosedError' || error.name === 'MongoNotConnectedError';
    return {
      _tag: 'StoreError',
      code: closed ? 'store-closed' : 'store-transient',
      retryable: !closed,
      message: error.message,
      cause: error,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { _tag: 'StoreError', code: 'store-unexpected', retryable: false, message, cause: error };
};
