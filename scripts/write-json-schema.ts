import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pspResultUpdateEventJsonSchema } from '../src/codecs/index.js';

const target = resolve(import.meta.dirname, '../schemas/psp-result-update-event.schema.json');
writeFileSync(target, `${JSON.stringify(pspResultUpdateEventJsonSchema, null, 2)}\n`);
