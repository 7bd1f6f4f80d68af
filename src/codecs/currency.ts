import * as t from 'io-ts';

export interface CurrencyBrand {
  readonly Currency: unique symbol;
}

// ICU's list of ISO 4217 codes, as shipped with Node: no hand-kept table to fall out of date.
const iso4217 = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 currency code, upper case (`EUR`, `USD`). */
export const Currency = t.brand(
  t.string,
  (s): s is t.Branded<string, CurrencyBrand> => /^[A-Z]{3}$/.test(s) && iso4217.has(s),
  'Currency',
);
export type Currency = t.TypeOf<typeof Currency>;

export interface MinorUnitsBrand {
  readonly MinorUnits: unique symbol;
}

/** An amount in minor units (cents): a safe integer above zero. */
export const MinorUnits = t.brand(
  t.number,
  (n): n is t.Branded<number, MinorUnitsBrand> => Number.isSafeInteger(n) && n > 0,
  'MinorUnits',
);
export type MinorUnits = t.TypeOf<typeof MinorUnits>;
