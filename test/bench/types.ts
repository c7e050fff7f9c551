/** One measured figure in the bench report. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same quantity measured by the baseline in the same run, when there is one. */
  baseline?: number;
  /** Target as text, e.g. '<= 0.15'; reported, never asserted. */
  target?: string;
  note?: string;
}

/** A titled group of figures produced by one bench module. */
export interface BenchSection {
  title: string;
  rows: BenchRow[];
}
