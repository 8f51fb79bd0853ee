// A deliberately violating program: each module builds resources that break one group of
// sealed-infra guarantees. The examples check (`npm run check`) expects the pack to block it.
import "./immutable-artifacts";
import "./records";
import "./separated-duties";
import "./runtime-and-updates";
import "./release";
