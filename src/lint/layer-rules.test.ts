import { describe, expect, it } from 'vitest';
import { checkFile } from './layer-rules.ts';

describe('layer rules', () => {
  it('engine importing an adapter → violation', () => {
    const violations = checkFile('src/engine/loop.ts', "import { X } from '../adapters/binance/rest.ts';\n");
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toContain('engine must not import adapters');
  });

  it('sim importing the engine → violation; sim importing lib → allowed', () => {
    expect(checkFile('src/sim/a.ts', "import { Y } from '../engine/y.ts';")).toHaveLength(1);
    expect(checkFile('src/sim/a.ts', "import { parseFixed } from '../lib/fixed.ts';")).toHaveLength(0);
  });

  it('domain importing node:fs → violation', () => {
    expect(checkFile('src/domain/order.ts', "import { readFileSync } from 'node:fs';")).toHaveLength(1);
  });

  it('ambient Date.now and Math.random outside the clock → violation; in a comment → allowed', () => {
    expect(checkFile('src/engine/x.ts', 'const t = Date.now();')).toHaveLength(1);
    expect(checkFile('src/sim/x.ts', 'const r = Math.random();')).toHaveLength(1);
    expect(checkFile('src/engine/x.ts', '// never Date.now() here')).toHaveLength(0);
    expect(checkFile('src/lib/system-clock.ts', 'return Date.now();')).toHaveLength(0);
  });

  it('type-only and re-export lines are checked too', () => {
    expect(checkFile('src/domain/a.ts', "export { z } from '../engine/z.ts';")).toHaveLength(1);
    expect(checkFile('src/ports/a.ts', "import type { Z } from '../adapters/z.ts';")).toHaveLength(1);
  });
});
