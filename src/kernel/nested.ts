/** The nested-translation kernel as one loadable part (registry.ts). */

import { guestPrograms } from "./guest.ts";
import type { NestedKernel } from "./registry.ts";
import { assignDevice, bootVm } from "./vm.ts";

export const NESTED: NestedKernel = { programs: guestPrograms, bootVm, assignDevice };
