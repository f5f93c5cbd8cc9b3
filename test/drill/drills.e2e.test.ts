import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/app/drill/drill-runner.ts';
import { DRILL_SCENARIOS } from '../../src/app/drill/drill-scenarios.ts';

// Issue 5 point 6: every drill runs in CI, at a scale that keeps them under 5 minutes together.
// Each drill starts its own simulator and engine over loopback; nothing is mocked.
const SCALE = 0.2;

describe(`drills at scale ${SCALE}`, () => {
  for (const scenario of DRILL_SCENARIOS) {
    it(`${scenario.name} (${scenario.section}): ${scenario.description}`, async () => {
      const result = await runDrill(scenario, { scale: SCALE });
      expect(result.violations, `incidents: ${result.incidents.join(' | ')}`).toEqual([]);
      expect(result.passed).toBe(true);
      if (scenario.expect(SCALE).incident !== undefined) {
        expect(result.detected_ms).not.toBeNull();
        expect(result.contained_ms).not.toBeNull();
      }
    }, 240_000);
  }
});
