export { OrderStatus, isTerminal, orderStatuses, nonTerminalStatuses } from './order-status.js';
export type { CheckLaterStatus, TerminalStatus } from './order-status.js';
export { decide, intentOf, optimisticGuard, retriesExhausted } from './transition-table.js';
export type { Decision, Intent, OrderState, RetryPolicy } from './transition-table.js';
export { eventKeyOf } from '../codecs/index.js';
export { auditTrail } from './payment-order.js';
export type {
  AuditEntry,
  AuditLine,
  DispatchDueAt,
  HistoryEntry,
  PaymentOrderDocument,
  ResultSource,
} from './payment-order.js';
export {
  isRedelivery,
  labelOfRecorded,
  outcomeLabel,
  outcomeLabels,
  outcomeVocabulary,
  recordedTagOf,
} from './outcome.js';
export type { Outcome, OutcomeLabel, RecordedOutcome, RecordedTag } from './outcome.js';
export { applyEffect, applyPspResult, resolvePspResult } from './apply-psp-result.js';
export { storeErrorOf } from './store-error.js';
export type { StoreError } from './store-error.js';
export { paymentOrderStore, paymentOrdersCollection } from './payment-order-store.js';
export type { PaymentOrderStore } from './payment-order-store.js';
export { processPaymentService, roundsOf } from './process-payment-service.js';
export type { ProcessPaymentService, PspResult } from './process-payment-service.js';
export { noResultMemory, resultMemory } from './result-memory.js';
export type { ResultMemory } from './result-memory.js';
export { ensureStateIndexes } from './indexes.js';
export { createPaymentOrder } from './payment-order-intake.js';
export type { Intake, IntakeConflict, IntakeDeps, IntakeError } from './payment-order-intake.js';
export { claimableFilter, dispatchDue, dispatchOne, isClaimable } from './retry-dispatcher.js';
export type { Dispatched, RetryDispatcherDeps } from './retry-dispatcher.js';
export { commandOutboxCollection, commandOutboxEntry } from './command-outbox.js';
export { nextCommandFor } from './next-command.js';
export type { Schedule } from './transition-table.js';
