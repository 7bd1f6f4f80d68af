import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pspStatuses } from '../../src/codecs/index.js';
import type { PspResultUpdateEvent, PspStatus } from '../../src/codecs/index.js';
import { optimisticWrite } from '../../src/state/conditional-update.js';
import {
  applyEffect,
  applyPspResult,
  auditTrail,
  decide,
  eventKeyOf,
  intentOf,
  isTerminal,
  optimisticGuard,
  orderStatuses,
  roundsOf,
} from '../../src/state/index.js';
import type {
  AuditEntry,
  Decision,
  OrderState,
  OrderStatus,
  PaymentOrderDocument,
  RetryPolicy,
} from '../../src/state/index.js';
import { at, eventFor, eventSequence, fixedNow, fold, initiated, orderId, source, type Step } from './fixtures.js';
import { matchesFilter } from '../../support/order-filter.js';

const policy: RetryPolicy = { maxAttempts: 5 };
const id = orderId('po-table');

// ---------------------------------------------------------------------------------------------------------
// The oracle, written from the rules rather than from the code.
//   S D F  the final answer: that terminal status, attempts unchanged, never stale
//   R      retryable: RETRY_PENDING with one more attempt; the attempt that reaches maxAttempts fails the
//          order with "retries exhausted"
//   P A C  check later: PENDING / AUTH_REQUIRED / CAPTURE_PENDING, attempts unchanged
//   X      a check-later result that would move the order back a stage: invalid-transition
//   T      the order is terminal: ignored-terminal
// Non-final results (R, P, A, C, X) older than the order's lastEventTime are stale.
// ---------------------------------------------------------------------------------------------------------
const columns = [
  'SUCCESSFUL',
  'DECLINED',
  'FAILED',
  'TIMEOUT',
  'PSP_UNAVAILABLE',
  'FAILED_TRANSIENT',
  'PENDING',
  'AUTH_REQUIRED',
  'CAPTURE_PENDING',
  'UNKNOWN',
] as const satisfies readonly PspStatus[];

const rows: Readonly<Record<OrderStatus, string>> = {
  INITIATED: /*      */ 'S D F R R R P A C P',
  PENDING: /*        */ 'S D F R R R P A C P',
  AUTH_REQUIRED: /*  */ 'S D F R R R X A C X',
  CAPTURE_PENDING: /**/ 'S D F R R R X X C X',
  RETRY_PENDING: /*  */ 'S D F R R R P A C P',
  SUCCESSFUL: /*     */ 'T T T T T T T T T T',
  DECLINED: /*       */ 'T T T T T T T T T T',
  FAILED: /*         */ 'T T T T T T T T T T',
};

type Cell = 'S' | 'D' | 'F' | 'R' | 'P' | 'A' | 'C' | 'X' | 'T';

const cellOf = (status: OrderStatus, psp: PspStatus): Cell => {
  const cell = rows[status].split(' ')[columns.indexOf(psp)];
  if (cell === undefined) throw new Error(`no cell for ${status} × ${psp}`);
  return cell as Cell;
};

const expected = (cell: Cell, attempts: number, stale: boolean, max: number): Decision => {
  if (stale && !['T', 'S', 'D', 'F'].includes(cell)) return { _tag: 'Stale' };
  switch (cell) {
    case 'T':
      return { _tag: 'IgnoredTerminal' };
    case 'S':
      return { _tag: 'Transition', to: 'SUCCESSFUL', attempts };
    case 'D':
      return { _tag: 'Transition', to: 'DECLINED', attempts };
    case 'F':
      return { _tag: 'Transition', to: 'FAILED', attempts };
    case 'R':
      return attempts + 1 < max
        ? { _tag: 'Transition', to: 'RETRY_PENDING', attempts: attempts + 1 }
        : { _tag: 'Transition', to: 'FAILED', attempts: attempts + 1, reason: 'retries exhausted' };
    case 'P':
      return { _tag: 'Transition', to: 'PENDING', attempts };
    case 'A':
      return { _tag: 'Transition', to: 'AUTH_REQUIRED', attempts };
    case 'C':
      return { _tag: 'Transition', to: 'CAPTURE_PENDING', attempts };
    case 'X':
      return { _tag: 'InvalidTransition' };
  }
};

const pairs = orderStatuses.flatMap((status) => pspStatuses.map((psp) => [status, psp] as const));

const eventAt = (pspStatus: PspStatus, eventTime: Date): PspResultUpdateEvent => ({
  paymentOrderId: id,
  pspStatus,
  eventTime,
});

describe('the transition table', () => {
  it('covers every order status and every PSP status', () => {
    expect(new Set(columns)).toEqual(new Set(pspStatuses));
    expect(Object.keys(rows).sort()).toEqual([...orderStatuses].sort());
    expect(pairs).toHaveLength(80);
  });

  describe.each(pairs)('%s × %s', (status, psp) => {
    const cell = cellOf(status, psp);
    const now = at(10);

    it.each([
      ['no earlier event', undefined],
      ['an earlier event', at(9)],
      ['an event at the same instant', at(10)],
    ] as const)('with attempts below the max after %s', (_, lastEventTime) => {
      for (const attempts of [0, 1, policy.maxAttempts - 2]) {
        expect(decide({ status, attempts, lastEventTime }, eventAt(psp, now), policy)).toEqual(
          expected(cell, attempts, false, policy.maxAttempts),
        );
      }
    });

    it('with attempts at max - 1', () => {
      const attempts = policy.maxAttempts - 1;
      expect(decide({ status, attempts, lastEventTime: at(9) }, eventAt(psp, now), policy)).toEqual(
        expected(cell, attempts, false, policy.maxAttempts),
      );
    });

    it('after a later event', () => {
      for (const attempts of [0, policy.maxAttempts - 1]) {
        expect(decide({ status, attempts, lastEventTime: at(11) }, eventAt(psp, now), policy)).toEqual(
          expected(cell, attempts, true, policy.maxAttempts),
        );
      }
    });

    it('is recorded by the pure reducer with the matching outcome', () => {
      const doc: PaymentOrderDocument = { ...initiated(id), status, attempts: 1, lastEventTime: at(5) };
      const { doc: after, outcome } = applyPspResult(doc, eventAt(psp, now), source(1), policy, fixedNow);
      const d = expected(cell, 1, false, policy.maxAttempts);
      const recorded = {
        Transition: 'applied',
        IgnoredTerminal: 'ignored-terminal',
        Stale: 'stale',
        InvalidTransition: 'invalid-transition',
      }[d._tag];
      const to = d._tag === 'Transition' ? d.to : status;
      expect(outcome._tag).toBe(
        {
          Transition: 'Applied',
          IgnoredTerminal: 'IgnoredTerminal',
          Stale: 'Stale',
          InvalidTransition: 'InvalidTransition',
        }[d._tag],
      );
      expect(after?.status).toBe(to);
      expect(after?.attempts).toBe(d._tag === 'Transition' ? d.attempts : 1);
      expect(after?.version).toBe(1);
      expect(after?.history).toEqual([expect.objectContaining({ outcome: recorded, to, pspStatus: psp })]);
      expect(after?.lastEventTime).toEqual(d._tag === 'Transition' ? now : at(5));
      if (d._tag === 'Transition' && d.reason !== undefined) expect(after?.failureReason).toBe(d.reason);
    });
  });

  it('fails the order at the maxAttempts-th retryable result, not before', () => {
    let doc: PaymentOrderDocument | null = initiated(id);
    const statuses: OrderStatus[] = [];
    for (let i = 0; i < 7; i++) {
      doc = applyPspResult(doc, eventAt('TIMEOUT', at(i)), source(i), policy, fixedNow).doc;
      statuses.push(doc?.status ?? 'INITIATED');
    }
    expect(statuses).toEqual([
      'RETRY_PENDING',
      'RETRY_PENDING',
      'RETRY_PENDING',
      'RETRY_PENDING',
      'FAILED',
      'FAILED',
      'FAILED',
    ]);
    expect(doc).toMatchObject({ attempts: 5, failureReason: 'retries exhausted' });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties of the pure reducer.
// ---------------------------------------------------------------------------------------------------------

const stepsOf = (events: readonly PspResultUpdateEvent[], firstOffset = 0): Step[] =>
  events.map((event, i) => ({ event, source: source(firstOffset + i) }));

const sequence = eventSequence(id, { minLength: 0, maxLength: 25 });
const anyPolicy = fc.integer({ min: 1, max: 6 }).map((maxAttempts): RetryPolicy => ({ maxAttempts }));

describe('applyPspResult', () => {
  it('never leaves a terminal state', () => {
    fc.assert(
      fc.property(sequence, anyPolicy, (events, p) => {
        const { trace } = fold(initiated(id), stepsOf(events), p);
        const firstTerminal = trace.findIndex((d) => d !== null && isTerminal(d.status));
        if (firstTerminal < 0) return;
        const status = trace[firstTerminal]?.status;
        for (const d of trace.slice(firstTerminal)) {
          expect(d?.status).toBe(status);
          expect(d?.attempts).toBe(trace[firstTerminal]?.attempts);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same document for a sequence applied twice as applied once', () => {
    fc.assert(
      fc.property(sequence, anyPolicy, (events, p) => {
        const steps = stepsOf(events);
        const once = fold(initiated(id), steps, p);
        const twice = fold(initiated(id), [...steps, ...steps], p);
        expect(twice.doc).toEqual(once.doc);
        expect(twice.outcomes.slice(steps.length).every((o) => o._tag === 'Duplicate')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('ignores copies of earlier events inserted anywhere after their first occurrence', () => {
    const withCopies = sequence
      .filter((events) => events.length > 0)
      .chain((events) =>
        fc.tuple(
          fc.constant(events),
          fc.array(fc.tuple(fc.nat({ max: events.length - 1 }), fc.nat(), fc.nat({ max: 1000 })), { maxLength: 10 }),
        ),
      );
    fc.assert(
      fc.property(withCopies, anyPolicy, ([events, copies], p) => {
        const steps = stepsOf(events);
        const withDuplicates: Step[] = [...steps];
        // Each copy goes somewhere after the first occurrence of its original, with a record of its own.
        for (const [original, where, offset] of copies) {
          const step = steps[original] as Step;
          const first = withDuplicates.findIndex((s) => eventKeyOf(s.event) === eventKeyOf(step.event));
          const position = first + 1 + (where % (withDuplicates.length - first));
          withDuplicates.splice(position, 0, { event: step.event, source: source(10_000 + offset, 1) });
        }
        expect(fold(initiated(id), withDuplicates, p).doc).toEqual(fold(initiated(id), steps, p).doc);
      }),
      { numRuns: 500 },
    );
  });

  it('never counts more attempts than maxAttempts, and counts exactly the applied retryable results', () => {
    fc.assert(
      fc.property(sequence, anyPolicy, (events, p) => {
        const { trace } = fold(initiated(id), stepsOf(events), p);
        for (const d of trace) {
          expect(d?.attempts).toBeLessThanOrEqual(p.maxAttempts);
          const retried = (d?.history ?? []).filter(
            (h) => h.kind === 'psp-result' && h.outcome === 'applied' && intentOf(h.pspStatus)._tag === 'Retry',
          );
          expect(d?.attempts).toBe(retried.length);
          if (d?.failureReason === 'retries exhausted') expect(d.attempts).toBe(p.maxAttempts);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps version equal to the number of history entries written', () => {
    fc.assert(
      fc.property(sequence, anyPolicy, (events, p) => {
        const { doc } = fold(initiated(id), stepsOf(events), p);
        expect(doc?.version).toBe(doc?.history.length);
        expect(new Set(doc?.history.map((h) => h.key)).size).toBe(doc?.history.length);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// The optimistic write against the table.
// ---------------------------------------------------------------------------------------------------------

const orderState = (max: number): fc.Arbitrary<OrderState> =>
  fc.record(
    {
      status: fc.constantFrom(...orderStatuses),
      attempts: fc.integer({ min: 0, max }),
      lastEventTime: fc.integer({ min: 3, max: 7 }).map(at),
    },
    { requiredKeys: ['status', 'attempts'] },
  );

/** A policy that schedules retries and checks (a fixed draw, so the model's backoff is the write's), or not. */
const guardPolicy = fc
  .tuple(anyPolicy, fc.boolean())
  .map(([p, scheduled]): RetryPolicy =>
    scheduled
      ? { ...p, schedule: { retryBackoff: { baseMs: 1_000, capMs: 8_000 }, checkDelayMs: 500, random: () => 0.25 } }
      : p,
  );

const guardCase = guardPolicy.chain((p) =>
  fc.tuple(
    fc.constant(p),
    orderState(p.maxAttempts),
    eventFor(id).map((e) => ({ ...e, eventTime: at(5) })),
  ),
);

const inGuard = (state: OrderState, event: PspResultUpdateEvent, p: RetryPolicy): boolean => {
  const guard = optimisticGuard(intentOf(event.pspStatus), p);
  return (
    guard.from.includes(state.status) &&
    (guard.attemptsBelow === undefined || state.attempts < guard.attemptsBelow) &&
    (!guard.notOlder || state.lastEventTime === undefined || state.lastEventTime <= event.eventTime)
  );
};

const optimisticTarget = (state: OrderState, event: PspResultUpdateEvent): Decision => {
  const intent = intentOf(event.pspStatus);
  return intent._tag === 'Retry'
    ? { _tag: 'Transition', to: 'RETRY_PENDING', attempts: state.attempts + 1 }
    : { _tag: 'Transition', to: intent.to, attempts: state.attempts };
};

const docOf = (state: OrderState): PaymentOrderDocument => ({
  ...initiated(id),
  status: state.status,
  attempts: state.attempts,
  ...(state.lastEventTime === undefined ? {} : { lastEventTime: state.lastEventTime }),
});

/** The alternatives of a result's optimistic write (none when a retry can only exhaust). */
const alternativesOf = (...args: Parameters<typeof optimisticWrite>) => optimisticWrite(...args)?.alternatives ?? [];

describe('optimisticGuard', () => {
  it('admits only states for which decide gives exactly the transition the optimistic write assumes', () => {
    fc.assert(
      fc.property(guardCase, ([p, state, event]) => {
        if (!inGuard(state, event, p)) return;
        expect(decide(state, event, p)).toEqual(optimisticTarget(state, event));
      }),
      { numRuns: 2000 },
    );
  });

  it('yields a filter that matches exactly the states in the guard, and never an order already holding the key', () => {
    fc.assert(
      fc.property(guardCase, fc.boolean(), ([p, state, event], seen) => {
        const key = eventKeyOf(event);
        const alternatives = alternativesOf(event, key, source(1), p, fixedNow);
        const doc = docOf(state);
        const matching = alternatives.filter((a) => matchesFilter(a.filter, doc));
        expect(matching).toHaveLength(inGuard(state, event, p) ? 1 : 0);
        if (seen) {
          const held: AuditEntry = { key, kind: 'created', outcome: 'applied', to: 'INITIATED', appliedAt: fixedNow };
          expect(alternatives.filter((a) => matchesFilter(a.filter, { ...doc, history: [held] }))).toEqual([]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('writes, when it matches, the very document the model would', () => {
    fc.assert(
      fc.property(guardCase, ([p, state, event]) => {
        const doc = docOf(state);
        const write = optimisticWrite(event, eventKeyOf(event), source(7), p, fixedNow);
        const matching = write?.alternatives.find((a) => matchesFilter(a.filter, doc));
        if (write === undefined || matching === undefined) return;
        const model = applyPspResult(doc, event, source(7), p, fixedNow);
        const after = applyEffect(doc, matching.effect, fixedNow);
        expect(after).toEqual(model.doc);
        expect(model.outcome).toEqual({ _tag: 'Applied', to: write.to });
        // in one bulk write, the alternatives after it find the key it pushed, so nothing is applied twice
        expect(write.alternatives.filter((a) => matchesFilter(a.filter, after))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves out every state in which decide gives anything else (so the slow path decides those)', () => {
    fc.assert(
      fc.property(guardCase, ([p, state, event]) => {
        if (inGuard(state, event, p)) return;
        expect(decide(state, event, p)).not.toEqual(optimisticTarget(state, event));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves the exhausting retry to the slow path', () => {
    const state: OrderState = { status: 'RETRY_PENDING', attempts: policy.maxAttempts - 1 };
    const event = eventAt('TIMEOUT', at(5));
    expect(inGuard(state, event, policy)).toBe(false);
    expect(decide(state, event, policy)).toEqual({
      _tag: 'Transition',
      to: 'FAILED',
      attempts: policy.maxAttempts,
      reason: 'retries exhausted',
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// auditTrail and roundsOf.
// ---------------------------------------------------------------------------------------------------------

describe('auditTrail', () => {
  const created: AuditEntry = {
    key: 'created',
    kind: 'created',
    outcome: 'applied',
    to: 'INITIATED',
    appliedAt: at(0),
  };

  it('restores each entry’s from as the previous entry’s to', () => {
    const doc = fold(
      { ...initiated(id), history: [created] },
      stepsOf([
        eventAt('PENDING', at(1)),
        eventAt('TIMEOUT', at(2)),
        eventAt('AUTH_REQUIRED', at(1)),
        eventAt('SUCCESSFUL', at(3)),
        eventAt('DECLINED', at(4)),
      ]),
      policy,
    ).doc;
    expect(auditTrail(doc ?? initiated(id)).map((l) => [l.from, l.to, l.outcome])).toEqual([
      [null, 'INITIATED', 'applied'],
      ['INITIATED', 'PENDING', 'applied'],
      ['PENDING', 'RETRY_PENDING', 'applied'],
      ['RETRY_PENDING', 'RETRY_PENDING', 'stale'],
      ['RETRY_PENDING', 'SUCCESSFUL', 'applied'],
      ['SUCCESSFUL', 'SUCCESSFUL', 'ignored-terminal'],
    ]);
    expect(auditTrail({ history: [] })).toEqual([]);
  });

  it('gives every written entry the status the order had before that result, and keeps the entry as it was', () => {
    fc.assert(
      fc.property(sequence, anyPolicy, (events, p) => {
        const { trace, doc } = fold({ ...initiated(id), history: [created] }, stepsOf(events), p);
        const trail = auditTrail(doc ?? initiated(id));
        expect(trail.map(({ from: _from, ...entry }) => entry)).toEqual(doc?.history);
        expect(trail[0]?.from).toBeNull();
        trail.slice(1).forEach((line, i) => {
          expect(line.from).toBe(trail[i]?.to);
          if (line.outcome !== 'applied') expect(line.to).toBe(line.from);
        });
        for (let i = 0; i + 1 < trace.length; i++) {
          const before = trace[i];
          const after = trace[i + 1];
          if (before && after && after.history.length > before.history.length) {
            expect(trail[before.history.length]?.from).toBe(before.status);
            expect(trail[before.history.length]?.to).toBe(after.status);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('roundsOf', () => {
  it('puts each order at most once in a round, keeps each order’s order, and places every index once', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 60 }), (orders) => {
        const rounds = roundsOf(orders, (o) => o);
        for (const round of rounds) {
          expect(round.length).toBeGreaterThan(0);
          expect(new Set(round.map((i) => orders[i])).size).toBe(round.length);
        }
        expect(rounds.flat().sort((x, y) => x - y)).toEqual(orders.map((_, i) => i));
        for (const order of new Set(orders)) {
          const asBatched = rounds.flatMap((round) => round.filter((i) => orders[i] === order));
          const asGiven = orders.flatMap((o, i) => (o === order ? [i] : []));
          expect(asBatched).toEqual(asGiven);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives no rounds for no items', () => {
    expect(roundsOf([], String)).toEqual([]);
  });
});
