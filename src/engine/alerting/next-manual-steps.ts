import type { IncidentType } from '../../domain/incident.ts';

export interface ManualStep {
  /** The playbook section the step comes from. */
  readonly section: string;
  /** What a person does next, after what yunmin already did automatically, with yunmin's commands. */
  readonly step: string;
}

/**
 * The playbook's next manual step per incident type (issue 6 point 5): the automatic steps of each
 * section are done by the engine, so an alert names the first step that needs a person, in the
 * commands of this engine (`yunmin …`) rather than the playbook's Python snippets.
 */
export const NEXT_MANUAL_STEPS: Readonly<Record<IncidentType, ManualStep>> = {
  WS_DISCONNECTED: {
    section: '§1',
    step: 'Monitor the reconnect: `yunmin status` (WS health); if it stays down, check the network (ping, DNS, firewall) and `grep -i websocket ./logs/trading.log`.',
  },
  WS_STALE: {
    section: '§1 step 3',
    step: 'Investigate within 5 min: ping/nslookup the stream host, check https://www.binancestatus.com/, `tail -50 ./logs/trading.log | grep -i ws`. If Binance is down, wait; do not restart. Then `yunmin positions` and `yunmin account` before any restart.',
  },
  WS_RECONNECT_RATE: {
    section: '§1',
    step: 'Find why streams keep dropping: `yunmin status`, network and ISP checks, `grep -i reconnect ./logs/trading.log`.',
  },
  REST_ERRORS: {
    section: '§2 steps 2–3',
    step: 'Identify the error type (`grep -E "429|418|503|504" ./logs/trading.log`); check Binance (`/api/v3/ping`, status page). 429: reduce order frequency; 503: do not retry, wait 60–120 s. Orders are held automatically.',
  },
  REST_UNAVAILABLE: {
    section: '§2 step 4',
    step: 'The hold did not clear: the engine is REDUCING. Confirm Binance is back, verify the account (`yunmin positions`, `yunmin account`), then `yunmin resume --by NAME`.',
  },
  HIGH_LATENCY: {
    section: '§3 step 2',
    step: 'Diagnose REST vs WS vs both (`yunmin status`, traceroute, ISP); mitigate: raise executor.timeout_ms (7000), decision_interval_s (10), or switch endpoint. Monitor every 5 min for 30 min.',
  },
  STUCK_ORDER: {
    section: '§4 step 4',
    step: 'The order was cancelled (and the exposure closed) automatically: find the root cause (network, order price vs spread, liquidity, Binance status) with `yunmin orders` and `yunmin trades SYMBOL --last 20`.',
  },
  DAILY_DRAWDOWN: {
    section: '§5 step 2',
    step: 'Immediate review (< 5 min): confirm flat with `yunmin positions`, read the losing trades (`yunmin trades SYMBOL --last 20`), start the post-mortem (`yunmin postmortem ID`). No restart before the §5 step 5 approval.',
  },
  POSITION_MISMATCH: {
    section: '§6 steps 3–4',
    step: 'Investigate: `yunmin positions` (MATCH column) and `yunmin trades SYMBOL --last 20`; find the missing fill or cancel, reconcile, then `yunmin resume --by NAME`.',
  },
  BALANCE_MISMATCH: {
    section: '§6 steps 3–4',
    step: 'Compare `yunmin account` with the recorded balance and the last trades; reconcile, then `yunmin resume --by NAME`.',
  },
  FLASH_CRASH: {
    section: '§7 step 2',
    step: 'Team decision (< 1 min): real crash or data error? Check the Binance order book and other symbols. Resume only when the §7 criteria hold: `yunmin resume --approve NAME`.',
  },
  DATA_ERROR: {
    section: '§7 step 2',
    step: 'One source moved alone: confirm against the Binance order book and trades; the streams were resubscribed. No halt needed if the data agrees again.',
  },
  KILL_SWITCH_STUCK: {
    section: '§8',
    step: 'The exchange is not flat: `yunmin kill-switch status`, then `yunmin flatten --by NAME` (works with the engine down); check open orders and positions on Binance directly.',
  },
  KILL_SWITCH: {
    section: '§5/§8',
    step: 'Confirm flat (`yunmin kill-switch status`, `yunmin positions`), find the trigger in the incident, start the review (`yunmin postmortem ID`). Release only with `yunmin kill-switch release --by NAME` after approval.',
  },
};
