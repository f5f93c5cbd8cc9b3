import { describe, expect, it } from 'vitest';
import type { Incident } from '../../domain/incident.ts';
import { renderPostmortem } from './postmortem.ts';

const T0 = Date.UTC(2026, 0, 27, 14, 45, 0);

/** A §5 drawdown breach as the kill switch records it, escalated, acknowledged, resolved. */
const INCIDENT: Incident = {
  id: 'INC-DD-1',
  type: 'DAILY_DRAWDOWN',
  severity: 'CRIT',
  summary: 'Daily DD: 2.1%',
  firstEvidenceAt: T0 - 1_500,
  firstEvidence: 'equity 293.70 vs baseline 300.00',
  detectedAt: T0,
  actions: [
    { at: T0 + 5, action: 'trip kill switch', result: 'started' },
    { at: T0 + 40, action: 'alert level 1', result: 'ok', detail: 'slack delivered' },
    { at: T0 + 250, action: 'close BTCUSDT (batch)', result: 'ok', detail: 'SELL 0.010 reduce-only' },
    { at: T0 + 260, action: 'close ETHUSDT (batch)', result: 'failed', detail: '503 Service Unavailable' },
    { at: T0 + 900, action: 'close ETHUSDT (single)', result: 'ok' },
    { at: T0 + 1_200, action: 'verify flat (attempt 1, batch)', result: 'ok' },
    { at: T0 + 300_000, action: 'alert level 3', result: 'failed', detail: 'pagerduty FAILED' },
  ],
  containedAt: T0 + 1_200,
  resolvedAt: T0 + 1_260_000,
  status: 'RESOLVED',
  acknowledgements: [{ by: 'ana', at: T0 + 420_000 }],
};

const GOLDEN = `# Post-incident review: INC-DD-1

**CRIT DAILY_DRAWDOWN: Daily DD: 2.1%**

| Field | Value |
|---|---|
| Incident | INC-DD-1 |
| Type | DAILY_DRAWDOWN |
| Severity | CRIT |
| Status | RESOLVED |
| First evidence | 2026-01-27 14:44:58 UTC: equity 293.70 vs baseline 300.00 |
| Detected | 2026-01-27 14:45:00 UTC |
| Contained | 2026-01-27 14:45:01 UTC |
| Resolved | 2026-01-27 15:06:00 UTC |

## Review checklist

- [ ] Root cause identified: ________________________
- [x] Time to detect: 1.5 s (first evidence → detection)
- [x] Time to contain: 1.2 s (detection → exposure under control)
- [x] Time to recover: 21m 00s (detection → resolved)
- [ ] Impact: PnL -13.50 USDT; positions closed: BTCUSDT, ETHUSDT; failed actions: 1
- [ ] Resolution: ________________________
- [ ] Prevention: ________________________
- [x] Acknowledged: ana (+7m 00s)
- [ ] System worked as expected? ________________________

## What was detected

Daily DD: 2.1%. First evidence at 2026-01-27 14:44:58 UTC: equity 293.70 vs baseline 300.00.

## Actions timeline (times from detection)

| Time | Result | Action | Detail |
|---|---|---|---|
| +5 ms | STARTED | trip kill switch |  |
| +40 ms | OK | alert level 1 | slack delivered |
| +250 ms | OK | close BTCUSDT (batch) | SELL 0.010 reduce-only |
| +260 ms | FAILED | close ETHUSDT (batch) | 503 Service Unavailable |
| +900 ms | OK | close ETHUSDT (single) |  |
| +1.2 s | OK | verify flat (attempt 1, batch) |  |
| +5m 00s | FAILED | alert level 3 | pagerduty FAILED |

## Acknowledgements

- ana at 2026-01-27 14:52:00 UTC (+7m 00s)

## Escalations sent

- +40 ms alert level 1: delivered (slack delivered)
- +5m 00s alert level 3: FAILED (pagerduty FAILED)

## For the people in the room

- Playbook §5 step 2: Immediate review (< 5 min): confirm flat with \`yunmin positions\`, read the losing trades (\`yunmin trades SYMBOL --last 20\`), start the post-mortem (\`yunmin postmortem ID\`). No restart before the §5 step 5 approval.
- Root cause (a person writes this): 
- Prevention plan: 
- Before going LIVE again (§5 step 5): root cause identified, fix tested in backtest, fix tested in dry-run, CTO approval, team briefing.
`;

describe('renderPostmortem', () => {
  it('a resolved CRIT record → the golden Markdown, every measurable field filled', () => {
    expect(renderPostmortem(INCIDENT, { pnl: '-13.50 USDT' })).toBe(GOLDEN);
  });

  it('the same input twice → identical output', () => {
    expect(renderPostmortem(INCIDENT)).toBe(renderPostmortem(structuredClone(INCIDENT)));
  });

  it('an open record without PnL → unknowns stated, not invented', () => {
    const { containedAt: _contained, resolvedAt: _resolved, ...unresolved } = INCIDENT;
    const markdown = renderPostmortem({ ...unresolved, actions: [], status: 'OPEN', acknowledgements: [] });
    expect(markdown).toContain('- [ ] Time to contain: not contained');
    expect(markdown).toContain('- [ ] Time to recover: not resolved');
    expect(markdown).toContain('Impact: PnL unknown; positions closed: none recorded; failed actions: 0');
    expect(markdown).toContain('- [ ] Acknowledged: never');
    expect(markdown).toContain('No actions recorded.');
  });

  it('a pipe in a detail → escaped, the table keeps its columns', () => {
    const markdown = renderPostmortem({
      ...INCIDENT,
      actions: [{ at: T0, action: 'hold', result: 'ok', detail: 'a|b' }],
    });
    expect(markdown).toContain('| +0 ms | OK | hold | a\\|b |');
  });
});
