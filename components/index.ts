/**
 * sealed-infra components: immutable infrastructure with separated deployer and approver duties.
 *
 *   import { ImmutableBucket, DutyRoles, ImmutableWorkload } from "sealed-infra";
 *
 * Every component is a Pulumi ComponentResource whose children are parented to it; each one passes
 * the sealed-infra policy pack with zero violations and refuses unsafe arguments at construction.
 */
export * from "./aws";
export * from "./kubernetes";
export {
    InvalidArgumentError,
    TAG_STORE,
    TAG_DUTY,
    TAG_PURPOSE,
    LABEL_STORE,
    LABEL_DUTY,
    LABEL_PURPOSE,
    PURPOSE_RELEASE_APPROVAL,
    STORE_KINDS,
    StoreKind,
    PolicyEffect,
} from "./common";
export type { Duty, Integer, PolicyStatement, PolicyPrincipals, AwsContextArgs, TagsInput } from "./common";
export * from "./approved-release";
