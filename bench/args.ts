/** Command-line flags of `bench/run.ts`. */
export interface BenchArgs {
  /** Events of the in-process backlog run (a) and the transport run (c). */
  readonly events: number;
  /** Orders (= collection size) of the stand-in runs (d, e, f). */
  readonly orders: number;
  /** Seconds each fixed-rate latency step runs (b). */
  readonly latencySeconds: number;
  readonly rates: readonly number[];
  /** Which rows to run: a b c d e f (all by default). */
  readonly only: ReadonlySet<string>;
  readonly quick: boolean;
  readonly seed: number;
  /** Write bench/results/<date>.json (off with --no-save). */
  readonly save: boolean;
  /** CPU-profile row a (in-process, through the inspector): slows it a little. */
  readonly profile: boolean;
}

export const allRows = ['a', 'b', 'c', 'd', 'e', 'f'] as const;

const usage = `usage: tsx bench/run.ts [--events N] [--orders N] [--quick] [--only a,b,c,d,e,f] [--seconds S] [--seed N] [--no-save] [--profile]
  --events N    events of the in-process backlog and transport runs (default 200000; --quick: 20000)
  --orders N    orders, and so documents, of the stand-in runs (default 3000; --quick: 500)
  --seconds S   seconds of each fixed-rate latency step (default 10; --quick: 3)
  --only ROWS   comma-separated subset of a,b,c,d,e,f
  --seed N      seed of the event generator (default 42)
  --no-save     print the table only
  --profile     CPU-profile row a and print where its time goes (slows row a a little)`;

const positiveInt = (flag: string, value: string | undefined): number => {
  const n = Number(value);
  if (value === undefined || !Number.isSafeInteger(n) || n <= 0)
    throw new Error(`${flag} needs a positive integer\n${usage}`);
  return n;
};

export const parseArgs = (argv: readonly string[]): BenchArgs => {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  const quick = argv.includes('--quick');
  let events = quick ? 20_000 : 200_000;
  let orders = quick ? 500 : 3_000;
  let latencySeconds = quick ? 3 : 10;
  let only: ReadonlySet<string> = new Set(allRows);
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
        orders = positiveInt(flag, argv[++i]);
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
        if (rows.length === 0 || unknown.length > 0) throw new Error(`--only takes rows among a,b,c,d,e,f\n${usage}`);
        only = new Set(rows);
        break;
      }
      default:
        throw new Error(`unknown argument ${flag}\n${usage}`);
    }
  }
  return { events, orders, latencySeconds, rates: [100, 1_000], only, quick, seed, save, profile };
};
