import { describe, expect, it } from 'vitest';
import { PaymentOrderCommand } from '../../src/codecs/index.js';
import { generatedCommands } from '../../src/publisher/generated-commands.js';

describe('generatedCommands', () => {
  it('gives the same first attempts for the same count and prefix, alternately at Stripe and Adyen', () => {
    const commands = generatedCommands(4, 'demo');
    expect(commands).toEqual(generatedCommands(4, 'demo'));
    expect(commands.map((c) => [c.type, c.paymentOrderId, c.psp])).toEqual([
      ['PaymentOrderCreated', 'demo-0', 'stripe'],
      ['PaymentOrderCreated', 'demo-1', 'adyen'],
      ['PaymentOrderCreated', 'demo-2', 'stripe'],
      ['PaymentOrderCreated', 'demo-3', 'adyen'],
    ]);
    expect(commands[1]).toMatchObject({ amount: 100 + 7919, currency: 'EUR', attempt: 1 });
    expect(commands[3]).toMatchObject({ currency: 'USD' });
  });

  it('makes only commands the codec accepts', () => {
    expect(generatedCommands(1_000, 'order').every((c) => PaymentOrderCommand.is(c))).toBe(true);
  });
});
