import type { OrderFilter } from '../src/state/conditional-update.js';
import type { PaymentOrderDocument } from '../src/state/index.js';

const condition = (filter: Record<string, unknown>, field: string): Record<string, unknown> => {
  const c = filter[field];
  if (typeof c !== 'object' || c === null || c instanceof Date || Array.isArray(c)) {
    throw new Error(`filter on ${field} not understood: ${JSON.stringify(filter)}`);
  }
  return c as Record<string, unknown>;
};

/** The operand of a condition that must hold exactly one operator, `operator`. */
const only = (c: Record<string, unknown>, operator: string, field: string): unknown => {
  let operators = 0;
  // for…in rather than Object.keys: the bench store evaluates several filters per event
  for (const k in c) if (++operators > 1 || k !== operator) break;
  if (operators !== 1 || !Object.hasOwn(c, operator)) {
    throw new Error(`${field}: expected {${operator}}, got ${JSON.stringify(c)}`);
  }
  return c[operator];
};

const inHistory = (doc: PaymentOrderDocument, key: unknown): boolean => {
  for (const h of doc.history) if (h.key === key) return true;
  return false;
};

/**
 * Evaluates exactly the filter shapes the service builds (`optimisticWrite`, `exactWrite`), with MongoDB's
 * semantics; any other shape throws, so a change in the product's queries cannot go unnoticed here.
 * Conditions are checked in the filter's order and the first that fails decides, as before.
 */
export const matchesFilter = (filter: OrderFilter, doc: PaymentOrderDocument): boolean => {
  const f = filter as Record<string, unknown>;
  for (const field in f) {
    switch (field) {
      case '_id':
        if (f['_id'] !== doc._id) return false;
        break;
      case 'version':
        if (f['version'] !== doc.version) return false;
        break;
      case 'status': {
        const statuses = only(condition(f, field), '$in', field);
        if (!Array.isArray(statuses)) throw new Error('status: $in needs an array');
        if (!(statuses as unknown[]).includes(doc.status)) return false;
        break;
      }
      case 'history.key':
        if (inHistory(doc, only(condition(f, field), '$ne', field))) return false;
        break;
      case 'attempts': {
        const attempts = f['attempts'];
        if (typeof attempts === 'number') {
          if (doc.attempts !== attempts) return false;
          break;
        }
        const below = only(condition(f, field), '$lt', field);
        if (typeof below !== 'number') throw new Error('attempts: $lt needs a number');
        if (!(doc.attempts < below)) return false;
        break;
      }
      case 'lastEventTime': {
        // {$not: {$gt: t}}: matches a missing field too, as MongoDB does.
        const not = only(condition(f, field), '$not', field) as Record<string, unknown>;
        const gt = only(not, '$gt', field);
        if (!(gt instanceof Date)) throw new Error('lastEventTime: $gt needs a Date');
        if (doc.lastEventTime !== undefined && doc.lastEventTime.getTime() > gt.getTime()) return false;
        break;
      }
      default:
        throw new Error(`filter on ${field} not understood: ${JSON.stringify(filter)}`);
    }
  }
  return true;
};
