import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/logger.js';

const capture = () => {
  const lines: string[] = [];
  const logger = createLogger({ name: 'test', level: 'info', destination: { write: (s: string) => lines.push(s) } });
  return { logger, lines };
};

describe('logs never carry card data or secrets', () => {
  it('redacts card fields and secrets at the top level and one level down', () => {
    const { logger, lines } = capture();
    const secrets = {
      pan: '4111111111111111',
      cardNumber: '5500005555555559',
      cvc: '123',
      cvv: '987',
      password: 'hunter2',
      apiKey: 'sk_live_abc',
      mongoUrl: 'mongodb://user:pa55@db/psp',
      authorization: 'Bearer t0ken',
    };
    logger.info({ ...secrets, order: { ...secrets } }, 'charge');
    const out = lines.join('');
    for (const value of Object.values(secrets)) expect(out).not.toContain(value);
    expect(out).toContain('[redacted]');
    expect(out).toContain('"msg":"charge"');
  });

  it('keeps what an operator needs', () => {
    const { logger, lines } = capture();
    logger.info({ paymentOrderId: 'order-1', pspReference: 'pi_1', traceId: 'a'.repeat(32) }, 'psp result processed');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ paymentOrderId: 'order-1', pspReference: 'pi_1' });
  });
});
