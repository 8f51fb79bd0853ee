/**
 * `npm run build:schema`: infers the package schema from the component sources and writes it beside
 * the compiled provider (dist/provider/schema.json), which serves it. Run after `build:lib`.
 */
import * as fs from "fs";
import * as path from "path";
import { inferSchema, packageRoot } from "./schema";
import { SCHEMA_FILE } from "./files";

function run(): void {
    const root = packageRoot();
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const started = Date.now();
    const schema = inferSchema(root, { version: pkg.version, description: pkg.description, license: pkg.license, keywords: pkg.keywords });
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, JSON.stringify(schema, null, 2) + "\n");
    const count = Object.keys(schema.resources).length;
    console.log(`${path.relative(process.cwd(), SCHEMA_FILE)}: ${count} components, ${Object.keys(schema.types).length} types (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

run();
