/**
 * How a check reports. Three kinds of outcome, one wording style:
 *  - violation: the guarantee is broken (the policy's enforcement level, mandatory by default);
 *  - not yet known: a value the verdict depends on is unknown in preview: an advisory note that it
 *    will be verified at update (never a silent pass). At update it is a violation: fail closed;
 *  - unreadable: a value is present but cannot be verified (invalid JSON, wrong type, a secret we
 *    were not given): a violation saying what could not be verified (fail closed).
 * Every message starts with the resource's display type and name, then names the property, the
 * value found, and the fix.
 */
import type { ReportViolation } from "@pulumi/policy";
import type { Read } from "./values";

export interface Subject {
    urn: string;
    type: string;
    name: string;
}

/** `aws:ecr/repository:Repository` -> `aws:ecr:Repository`, as the Pulumi CLI displays types. */
export function displayType(type: string): string {
    const parts = type.split(":");
    if (parts.length !== 3) {
        return type;
    }
    const [pkg, module, member] = parts;
    const slash = module.lastIndexOf("/");
    if (slash >= 0 && module.slice(slash + 1).toLowerCase() === member.toLowerCase()) {
        return `${pkg}:${module.slice(0, slash)}:${member}`;
    }
    return type;
}

export function label(subject: Subject): string {
    return `${displayType(subject.type)} "${subject.name}"`;
}

/** True while the engine runs a preview (the CLI sets this when it launches the pack). */
export function isPreview(env: NodeJS.ProcessEnv = process.env): boolean {
    return env.PULUMI_NODEJS_DRY_RUN !== "false";
}

type AdvisoryReport = (d: { message: string; urn?: string; enforcementLevel: "advisory" }) => void;

export class Findings {
    private count = 0;

    constructor(
        private readonly report: ReportViolation,
        private readonly preview: boolean = isPreview(),
    ) {}

    /** Number of findings reported so far (violations and notes). */
    get reported(): number {
        return this.count;
    }

    /** The guarantee is broken. `message` continues after `<type> "<name>": `. */
    violation(subject: Subject, message: string): void {
        this.count++;
        this.report(`${label(subject)}: ${message}`, subject.urn || undefined);
    }

    /**
     * A value the verdict needs is unknown. `what` says what will be verified, e.g.
     * `imageTagMutability must be "IMMUTABLE"`.
     */
    notYetKnown(subject: Subject, path: string, what: string): void {
        if (!this.preview) {
            this.violation(subject, `${path} is still unknown during the update, so it cannot be verified that ${what}; make the value known before the update.`);
            return;
        }
        this.count++;
        // @pulumi/policy accepts a diagnostic object here; it is how a mandatory policy emits an
        // advisory note with the resource's URN without giving up its other findings.
        (this.report as unknown as AdvisoryReport)({
            message: `${label(subject)}: ${path} is not known until the update, so it will be verified at update that ${what}.`,
            urn: subject.urn || undefined,
            enforcementLevel: "advisory",
        });
    }

    /** A present value could not be verified: fail closed. */
    unreadable(subject: Subject, path: string, reason: string, what: string): void {
        this.violation(subject, `cannot verify that ${what}: ${path} ${reason.startsWith("is ") ? reason : `could not be read: ${reason}`}.`);
    }

    /**
     * Dispatches a non-known Read to notYetKnown/unreadable. Returns true when the read was handled
     * (the caller should stop), false when it is known or absent.
     */
    unresolved<T>(subject: Subject, r: Read<T>, what: string): r is Extract<Read<T>, { state: "unknown" | "unreadable" }> {
        if (r.state === "unknown") {
            this.notYetKnown(subject, r.path, what);
            return true;
        }
        if (r.state === "unreadable") {
            this.unreadable(subject, r.path, r.reason, what);
            return true;
        }
        return false;
    }

    /** A check threw: never crash the RPC, never pass silently. */
    internalError(subject: Subject | undefined, policyName: string, error: unknown): void {
        const detail = error instanceof Error ? error.message : String(error);
        const text = `sealed-infra could not evaluate ${policyName}${subject ? " for this resource" : ""} (${detail}); the resource is treated as non-compliant. Please report this as a bug with the resource's properties.`;
        this.count++;
        if (subject) {
            this.report(`${label(subject)}: ${text}`, subject.urn || undefined);
        } else {
            this.report(text);
        }
    }
}
