import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAuditCommand } from '../../src/cli/audit-command.js';
import { paymentOrdersCollection } from '../../src/state/index.js';
import { testDb, uniqueName } from '../support/real-stack.js';
import { orderId } from '../state/fixtures.js';
import { storedBeforeOneVocabulary } from '../state/stored-history.js';

let db: Db;
let close: () => Promise<void>;
const mongoDbBefore = process.env['MONGO_DB'];

beforeAll(async () => {
  ({ db, close } = await testDb());
  process.env['MONGO_DB'] = db.databaseName;
});

afterAll(async () => {
  if (mongoDbBefore === undefined) delete process.env['MONGO_DB'];
  else process.env['MONGO_DB'] = mongoDbBefore;
  await close();
});

/** What `psp-stream audit <id>` prints, and its exit code. */
const audit = async (id: string): Promise<{ readonly code: number; readonly lines: readonly string[] }> => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const code = await runAuditCommand([id]);
    return { code, lines: log.mock.calls.map((args) => args.map(String).join(' ')) };
  } finally {
    log.mockRestore();
  }
};

describe('psp-stream audit', () => {
  it('reads entries stored before the one outcome vocabulary, naming each outcome by its metric label', async () => {
    const id = orderId(uniqueName('po-audit'));
    const { doc } = storedBeforeOneVocabulary(id);
    await db.collection(paymentOrdersCollection).insertOne(doc);

    const { code, lines } = await audit(id);
    expect(code).toBe(0);
    expect(lines[0]).toBe(`${id}: SUCCESSFUL, 0 attempts, version 5, psp reference psp-ref-1`);
    // time, from → to, then the PSP status and the outcome of each result.
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(1, 6))).toEqual([
      ['-', '→', 'INITIATED', 'created'],
      ['INITIATED', '→', 'CAPTURE_PENDING', 'CAPTURE_PENDING', 'applied'],
      ['CAPTURE_PENDING', '→', 'CAPTURE_PENDING', 'AUTH_REQUIRED', 'invalid_transition'],
      ['CAPTURE_PENDING', '→', 'CAPTURE_PENDING', 'PENDING', 'stale'],
      ['CAPTURE_PENDING', '→', 'SUCCESSFUL', 'SUCCESSFUL', 'applied'],
      ['SUCCESSFUL', '→', 'SUCCESSFUL', 'DECLINED', 'ignored_terminal'],
    ]);
    expect(lines[2]).toMatch(/ key=\S+ at psp-result-updates\/2\/11$/);
  });

  it('says so when there is no such order', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect((await audit(uniqueName('po-none'))).code).toBe(1);
    } finally {
      error.mockRestore();
    }
  });
});
