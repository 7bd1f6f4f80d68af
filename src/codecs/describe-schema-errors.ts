import * as t from 'io-ts';

const previewLength = 40;

const expected = (type: t.Decoder<unknown, unknown>): string =>
  type instanceof t.KeyofType ? `one of ${Object.keys(type.keys as object).join('|')}` : type.name;

const preview = (value: unknown): string => {
  if (typeof value === 'string') {
    if (value.length <= previewLength) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, previewLength))}… (${value.length} characters)`;
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
};

const unwrapped = (type: t.Decoder<unknown, unknown>): t.Decoder<unknown, unknown> =>
  type instanceof t.ExactType || type instanceof t.ReadonlyType || type instanceof t.RefinementType
    ? unwrapped(type.type as t.Decoder<unknown, unknown>)
    : type;

const isMemberOf = (parent: t.ContextEntry | undefined): boolean => {
  const type = parent === undefined ? undefined : unwrapped(parent.type);
  return type instanceof t.IntersectionType || type instanceof t.UnionType;
};

// The root and the members of intersections and unions add context entries of their own; only object keys and
// array indices make up the path a producer would recognise.
const pathOf = (context: t.Context): string =>
  context
    .filter((entry, i) => entry.key !== '' && !isMemberOf(context[i - 1]))
    .map((entry) => entry.key)
    .join('.');

const describeError = (error: t.ValidationError): string => {
  const path = pathOf(error.context) || '(root)';
  if (error.message !== undefined) return `${path}: ${error.message}`;
  const last = error.context[error.context.length - 1];
  const want = last === undefined ? 'a valid value' : expected(last.type);
  return error.value === undefined
    ? `${path}: missing, expected ${want}`
    : `${path}: expected ${want} but got ${preview(error.value)}`;
};

/** One line per io-ts validation error, each naming the field path and what was wrong with it. */
export const describeSchemaErrors = (errors: t.Errors): readonly string[] => [...new Set(errors.map(describeError))];
