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
import { label } from "./display";
import { expiredLine, waivedLine, waiverRegistry, WAIVERS_POLICY } from "./waivers";


export interface Subject {
    urn: string;
    type: string;
    name: string;
    /** Raw properties, when the subject is a resource (waiver tag selectors read its tags). */
    props?: Readonly<Record<string, unknown>>;
}

/** The policy a Findings reports for. */
export interface ReportingPolicy {
    name: string;
    description: string;
}

/** True while the engine runs a preview (the CLI sets this when it launches the pack). */
export function isPreview(env: NodeJS.ProcessEnv = process.env): boolean {
    return env.PULUMI_NODEJS_DRY_RUN !== "false";
}

/**
 * Set by `sealed-infra check` when it launches the pack: the stack comes from the offline model,
 * where a value the model cannot compute (an ARN the cloud assigns, a data source's result) is
 * unknown even in update mode. Such a value is an advisory that says it could not be verified
 * offline, never a mandatory finding. A real update never carries unknown values (the engine
 * resolves them before it calls the pack), so this variable changes nothing under the Pulumi CLI;
 * there an unknown value at update still fails closed.
 */
export const OFFLINE_CHECK_ENV = "SEALED_INFRA_OFFLINE_CHECK";

/** How the pack says a value the verdict needs is unknown, for the run it is in. */
export type UnknownWording = "preview" | "update" | "offline";

export function unknownWording(env: NodeJS.ProcessEnv = process.env): UnknownWording {
    if (isPreview(env)) {
        return "preview";
    }
    return env[OFFLINE_CHECK_ENV] === "true" ? "offline" : "update";
}

/**
 * The advisory text for a value not known yet (preview) or not computable offline. `sealed-infra
 * check` recognises both wordings to condense them to one note per resource
 * (cli/report/unknowns.ts): keep their shape stable.
 */
export function unknownNote(wording: Exclude<UnknownWording, "update">, path: string, what: string): string {
    return wording === "preview"
        ? `${path} is not known until the update, so it will be verified at update that ${what}.`
        : `${path} is not known offline (it comes from the cloud or from a value the offline check cannot compute), so it could not be verified that ${what}; pulumi preview with the pack checks it, at update at the latest.`;
}

type AdvisoryReport = (d: { message: string; urn?: string; enforcementLevel: "advisory"; name?: string; description?: string; severity?: string }) => void;

/**
 * Reports a diagnostic at advisory level whatever the policy's level. @pulumi/policy accepts a
 * diagnostic object here: it is how a mandatory policy emits an advisory note with the resource's
 * URN without giving up its other findings. The message gets the description in front, as the SDK
 * does for ordinary violations, so every diagnostic reads the same.
 */
function reportAdvisory(report: ReportViolation, policy: ReportingPolicy, message: string, urn: string): void {
    (report as unknown as AdvisoryReport)({ message: `${policy.description}\n${message}`, urn: urn || undefined, enforcementLevel: "advisory" });
}

export class Findings {
    private count = 0;

    constructor(
        private readonly report: ReportViolation,
        private readonly policy: ReportingPolicy,
        private readonly wording: UnknownWording = unknownWording(),
    ) {}

    /** Number of findings reported so far (violations and notes). */
    get reported(): number {
        return this.count;
    }

    /**
     * The guarantee is broken. `message` continues after `<type> "<name>": `. A valid waiver for
     * the finding turns it into an advisory that names the waiver; an expired one says so.
     */
    violation(subject: Subject, message: string): void {
        this.count++;
        const text = `${label(subject)}: ${message}`;
        const verdict = waiverRegistry.verdict(this.policy.name, subject, text);
        if (verdict?.kind === "waived") {
            reportAdvisory(this.report, this.policy, `${text}\n${waivedLine(verdict.waiver)}`, subject.urn);
        } else if (verdict?.kind === "expired") {
            this.report(`${text}\n${expiredLine(verdict.waiver)}`, subject.urn || undefined);
        } else {
            this.report(text, subject.urn || undefined);
        }
    }

    /**
     * A value the verdict needs is unknown. `what` says what will be verified, e.g.
     * `imageTagMutability must be "IMMUTABLE"`.
     */
    notYetKnown(subject: Subject, path: string, what: string): void {
        if (this.wording === "update") {
            this.violation(subject, `${path} is still unknown during the update, so it cannot be verified that ${what}; make the value known before the update.`);
            return;
        }
        this.count++;
        reportAdvisory(this.report, this.policy, `${label(subject)}: ${unknownNote(this.wording, path, what)}`, subject.urn);
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

    /** An advisory note that is not a finding (e.g. a stale waiver). */
    note(subject: Subject | undefined, message: string): void {
        this.count++;
        reportAdvisory(this.report, this.policy, subject ? `${label(subject)}: ${message}` : message, subject?.urn ?? "");
    }

    /** A waiver-hygiene note (e.g. a stack policy's unused waiver), reported under the waivers policy. */
    waiverNote(message: string): void {
        this.count++;
        (this.report as unknown as AdvisoryReport)({
            name: WAIVERS_POLICY.name,
            description: WAIVERS_POLICY.description,
            severity: WAIVERS_POLICY.severity,
            message: `${WAIVERS_POLICY.description}\n${message}`,
            enforcementLevel: "advisory",
        });
    }

    /** A violation of the policy itself, not of a resource (e.g. invalid policy config). */
    stackViolation(message: string): void {
        this.count++;
        this.report(message);
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
