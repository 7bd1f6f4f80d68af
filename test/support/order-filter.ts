import type { OrderFilter } from '../../src/state/conditional-update.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';

const condition = (filter: OrderFilter, field: string): Record<string, unknown> => {
  const c = (filter as Record<string, unknown>)[field];
  if (typeof c !== 'object' || c === null || c instanceof Date || Array.isArray(c)) {
    throw new Error(`filter on ${field} not understood: ${JSON.stringify(filter)}`);
  }
  return c as Record<string, unknown>;
};

const only = (c: Record<string, unknown>, operator: string, field: string): unknown => {
  const keys = Object.keys(c);
  if (keys.length !== 1 || keys[0] !== operator)
    throw new Error(`${field}: expected {${operator}}, got ${JSON.stringify(c)}`);
  return c[operator];
};

/**
 * Evaluates exactly the filter shapes the service builds (`optimisticWrite`, `exactWrite`), with MongoDB's
 * semantics; any other shape throws, so a change in the product's queries cannot go unnoticed here.
 */
export const matchesFilter = (filter: OrderFilter, doc: PaymentOrderDocument): boolean =>
  Object.keys(filter).every((field) => {
    switch (field) {
      case '_id':
        return (filter as Record<string, unknown>)['_id'] === doc._id;
      case 'version':
        return (filter as Record<string, unknown>)['version'] === doc.version;
      case 'status': {
        const statuses = only(condition(filter, field), '$in', field);
        if (!Array.isArray(statuses)) throw new Error('status: $in needs an array');
        return (statuses as unknown[]).includes(doc.status);
      }
      case 'history.key': {
        const key = only(condition(filter, field), '$ne', field);
        return !doc.history.some((h) => h.key === key);
      }
      case 'attempts': {
        const attempts = (filter as Record<string, unknown>)['attempts'];
        if (typeof attempts === 'number') return doc.attempts === attempts;
        const below = only(condition(filter, field), '$lt', field);
        if (typeof below !== 'number') throw new Error('attempts: $lt needs a number');
        return doc.attempts < below;
      }
      case 'lastEventTime': {
        // {$not: {$gt: t}}: matches a missing field too, as MongoDB does.
        const not = only(condition(filter, field), '$not', field) as Record<string, unknown>;
        const gt = only(not, '$gt', field);
        if (!(gt instanceof Date)) throw new Error('lastEventTime: $gt needs a Date');
        return !(doc.lastEventTime !== undefined && doc.lastEventTime.getTime() > gt.getTime());
      }
      default:
        throw new Error(`filter on ${field} not understood: ${JSON.stringify(filter)}`);
    }
  });
