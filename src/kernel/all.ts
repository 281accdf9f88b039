/**
 * Loads every driver design and the nested-translation kernel (registry.ts). The runner, the
 * explorer's worker and the tests import it first; the page imports it on demand.
 */

import { ioMm2018 } from "./designs/io-mm-2018.ts";
import { iommuProcess2017 } from "./designs/iommu-process-2017.ts";
import { svaDomain } from "./designs/sva-domain.ts";
import { NESTED } from "./nested.ts";
import { registerDriver, registerNested } from "./registry.ts";

registerDriver(iommuProcess2017);
registerDriver(ioMm2018);
registerDriver(svaDomain);
registerNested(NESTED);
