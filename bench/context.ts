import type { Figure } from './figure.js';
import type { BenchSettings } from './settings.js';

export interface BenchContext {
  settings: BenchSettings;
  /** a temp dir removed when the run ends */
  scratch: string;
  /** progress, to stderr (stdout carries only the table) */
  log(message: string): void;
}

export type Measure = (ctx: BenchContext) => Promise<Figure[]>;
