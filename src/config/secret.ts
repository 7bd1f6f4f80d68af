import { inspect } from 'node:util';

const hidden = '[secret]';

/**
 * A password or private key as the configuration holds it: logging, printing or serialising it shows
 * "[secret]"; only `reveal()`, at the one place that hands it to a client library, gives the value.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return hidden;
  }

  toJSON(): string {
    return hidden;
  }

  [inspect.custom](): string {
    return hidden;
  }
}
