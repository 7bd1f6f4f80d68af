import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';

/** One environment variable: how to decode it, its default, and what it is for (also printed by `--help`). */
export interface EnvVar<A> {
  readonly codec: t.Decoder<unknown, A>;
  readonly fallback?: string;
  readonly description: string;
  /** Values of secret variables are never echoed back in error messages. */
  readonly secret?: boolean;
  /** Unset (and no fallback) decodes to `undefined` instead of being required. */
  readonly optional?: boolean;
  /**
   * A rule across variables, checked when this one is set and valid: what is wrong, as the rest of a line
   * that starts with the variable's name (e.g. "needs KAFKA_SASL_USERNAME"), or `undefined`.
   */
  readonly check?: (env: NodeJS.ProcessEnv) => string | undefined;
}

export type EnvSpec = Readonly<Record<string, EnvVar<unknown>>>;
export type ConfigOf<S extends EnvSpec> = { readonly [K in keyof S]: S[K] extends EnvVar<infer A> ? A : never };

export interface InvalidEnv {
  readonly _tag: 'InvalidEnv';
  /** One line per invalid variable. */
  readonly problems: readonly string[];
}

export const envVar = <A>(v: EnvVar<A>): EnvVar<A> => v;

/**
 * A variable that may be left unset: its value is then `undefined`. Its fallback is the empty string, so
 * whatever reads "no fallback" as "required" (docs, compose checks) sees it as not required.
 */
export const optionalEnvVar = <A>(v: Omit<EnvVar<A>, 'fallback' | 'optional'>): EnvVar<A | undefined> => ({
  ...v,
  fallback: '',
  optional: true,
});

export const decodeEnv = <S extends EnvSpec>(spec: S, env: NodeJS.ProcessEnv): E.Either<InvalidEnv, ConfigOf<S>> => {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(spec)) {
    const raw = env[name] === undefined || env[name] === '' ? v.fallback : env[name];
    if (raw === undefined || (v.optional === true && raw === '')) {
      if (v.optional === true) config[name] = undefined;
      else problems.push(`${name} is required: ${v.description}`);
      continue;
    }
    const decoded = v.codec.decode(raw);
    if (E.isLeft(decoded)) {
      const shown = v.secret === true ? '(value hidden)' : JSON.stringify(raw);
      problems.push(`${name}=${shown} is invalid: expected ${v.codec.name}`);
      continue;
    }
    const conflict = env[name] === undefined || env[name] === '' ? undefined : v.check?.(env);
    if (conflict === undefined) config[name] = decoded.right;
    else problems.push(`${name} ${conflict}`);
  }
  return problems.length > 0 ? E.left({ _tag: 'InvalidEnv', problems }) : E.right(config as ConfigOf<S>);
};

export const describeEnv = (spec: EnvSpec): string =>
  Object.entries(spec)
    .map(
      ([name, v]) =>
        `  ${name.padEnd(34)} ${v.description}${v.fallback === undefined || v.fallback === '' ? '' : ` (default: ${v.fallback})`}`,
    )
    .join('\n');
