/** Command-line flags of `bench/run.ts`. */
export interface BenchArgs {
  /** Events of the in-process backlog run (a) and the transport run (c). */
  readonly events: number;
  /** Orders (= collection sizes) of the stand-in runs (d, e, n, f) on the stack's (indexed) stand-in, in order. */
  readonly orders: readonly number[];
  /** Orders of rows e and n on an unindexed stand-in the bench starts itself; 0 = skip. */
  readonly unindexedOrders: number;
  /** Seconds each fixed-rate latency step runs (b). */
  readonly latencySeconds: number;
  readonly rates: readonly number[];
  /** Which rows to run: a b c d e n by default; f only when asked for. */
  readonly only: ReadonlySet<string>;
  readonly quick: boolean;
  readonly seed: number;
  /** Write bench/results/<date>.json (off with --no-save). */
  readonly save: boolean;
  /** CPU-profile row a (in-process, through the inspector): slows it a little. */
  readonly profile: boolean;
}

export const allRows = ['a', 'b', 'c', 'd', 'e', 'n', 'f'] as const;
/** Row f (the serial naive consumer, not a correct one) runs only when `--only` names it. */
export const defaultRows = ['a', 'b', 'c', 'd', 'e', 'n'] as const;
/** The rows run on the stack's stand-in at every `--orders` size. */
export const standInRows = ['d', 'e', 'n', 'f'] as const;
/** The rows run on the unindexed stand-in at `--unindexed-orders`. */
export const unindexedRows = ['e', 'n'] as const;

const usage = `usage: tsx bench/run.ts [--events N] [--orders N[,N…]] [--unindexed-orders N] [--quick] [--only a,b,c,d,e,n,f] [--seconds S] [--seed N] [--no-save] [--profile]
  --events N              events of the in-process backlog and transport runs (default 200000; --quick: 20000)
  --orders N[,N…]         orders, and so documents, of rows d, e, n (and f) on the stack's stand-in, one
                          set of rows per size (default 3000,20000; --quick: 500,1500)
  --unindexed-orders N    orders of rows e and n on an unindexed stand-in the bench starts on a free port
                          and stops at the end (default 3000; --quick: 500; 0 = skip)
  --seconds S             seconds of each fixed-rate latency step (default 10; --quick: 3)
  --only ROWS             comma-separated subset of a,b,c,d,e,n,f (default a,b,c,d,e,n)
  --seed N                seed of the event generator (default 42)
  --no-save               print the table only
  --profile               CPU-profile row a and print where its time goes (slows row a a little)`;

const positiveInt = (flag: string, value: string | undefined): number => {
  const n = Number(value);
  if (value === undefined || !Number.isSafeInteger(n) || n <= 0)
    throw new Error(`${flag} needs a positive integer\n${usage}`);
  return n;
};

const nonNegativeInt = (flag: string, value: string | undefined): number => {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isSafeInteger(n) || n < 0)
    throw new Error(`${flag} needs an integer ≥ 0\n${usage}`);
  return n;
};

const positiveInts = (flag: string, value: string | undefined): number[] => {
  const parts = (value ?? '').split(',').filter((p) => p !== '');
  if (parts.length === 0) throw new Error(`${flag} needs a comma-separated list of positive integers\n${usage}`);
  return [...new Set(parts.map((p) => positiveInt(flag, p)))];
};

export const parseArgs = (argv: readonly string[]): BenchArgs => {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  const quick = argv.includes('--quick');
  let events = quick ? 20_000 : 200_000;
  let orders: readonly number[] = quick ? [500, 1_500] : [3_000, 20_000];
  let unindexedOrders = quick ? 500 : 3_000;
  let latencySeconds = quick ? 3 : 10;
  let only: ReadonlySet<string> = new Set(defaultRows);
  let seed = 42;
  let save = true;
  let profile = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    switch (flag) {
      case '--quick':
        break;
      case '--events':
        events = positiveInt(flag, argv[++i]);
        break;
      case '--orders':
        orders = positiveInts(flag, argv[++i]);
        break;
      case '--unindexed-orders':
        unindexedOrders = nonNegativeInt(flag, argv[++i]);
        break;
      case '--seconds':
        latencySeconds = positiveInt(flag, argv[++i]);
        break;
      case '--seed':
        seed = positiveInt(flag, argv[++i]);
        break;
      case '--no-save':
        save = false;
        break;
      case '--profile':
        profile = true;
        break;
      case '--only': {
        const rows = (argv[++i] ?? '').split(',').filter((r) => r !== '');
        const unknown = rows.filter((r) => !(allRows as readonly string[]).includes(r));
        if (rows.length === 0 || unknown.length > 0)
          throw new Error(`--only takes rows among ${allRows.join(',')}\n${usage}`);
        only = new Set(rows);
        break;
      }
      default:
        throw new Error(`unknown argument ${flag}\n${usage}`);
    }
  }
  return { events, orders, unindexedOrders, latencySeconds, rates: [100, 1_000], only, quick, seed, save, profile };
};
