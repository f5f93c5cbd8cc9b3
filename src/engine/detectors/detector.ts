export interface Detector {
  readonly name: string;
  /** Called on every evaluation tick of the incident-response loop (every ~250 ms on the clock). */
  evaluate(): void | Promise<void>;
}
