import * as E from 'fp-ts/lib/Either.js';
import type { InvalidEnv } from '../config/env-spec.js';

/** The configuration, or `undefined` after one line on stderr per invalid variable. */
export const orExplainInvalidEnv = <A>(result: E.Either<InvalidEnv, A>): A | undefined => {
  if (E.isRight(result)) return result.right;
  for (const p of result.left.problems) console.error(`config: ${p}`);
  return undefined;
};
