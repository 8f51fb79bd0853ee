import type { StackSnapshot } from "../model";

/** A stack as a source produced it, plus what the source could not reproduce (printed as notes). */
export interface SourcedStack extends StackSnapshot {
    warnings: string[];
}
