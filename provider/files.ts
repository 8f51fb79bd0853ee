import * as path from "path";

/** The schema `npm run build:schema` writes beside the compiled provider (dist/provider/schema.json), which serves it. */
export const SCHEMA_FILE = path.join(__dirname, "schema.json");
