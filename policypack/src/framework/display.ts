/** How resources are named in messages, the way the Pulumi CLI displays them. */

/** The parts of a resource a message names. */
export interface Named {
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
    if (member.length === 0 || slash === -1 || module.slice(slash + 1) !== member[0].toLowerCase() + member.slice(1)) {
        return type;
    }
    return `${pkg}:${module.slice(0, slash)}:${member}`;
}

export function label(subject: Named): string {
    return `${displayType(subject.type)} "${subject.name}"`;
}

