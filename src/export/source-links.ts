/**
 * Links from a micro-step to the kernel function it models, in the source of the release the
 * scenario models, on Bootlin's Elixir cross-referencer (docs/links.md): its `ident` search
 * lists the definition and every use of a name in one tagged tree.
 *
 *   https://elixir.bootlin.com/linux/v6.1/A/ident/arm_smmu_mm_release
 *
 * Mainline releases link their own tag. `rfc-2018` is not mainline (Jean-Philippe Brucker's
 * io_mm series was posted in 2018 and never merged as such): its links go to v4.17, the first
 * mainline release after the series was posted, where the generic kernel functions it calls
 * (mmput, mutex_lock, synchronize_srcu…) are found; the functions only the series adds
 * (io_mm_get_locked, …) are not there, and the link says so by its label.
 *
 * Only kernel code links: the SMMU's consumption of a command is the hardware (the model names
 * it `arm_smmu_cmdq_consume`), a `dma` step is the device, a `(VMM)` step is the VMM.
 */
import { isRelease, mainlineIndex } from "../scenario/releases.ts";

export const ELIXIR = "https://elixir.bootlin.com/linux";

/** The mainline tag an RFC release's links point at. */
export const RFC_SOURCE_TAG: Readonly<Record<string, string>> = { "rfc-2018": "v4.17" };

/** Actors whose steps are not kernel code. */
const HARDWARE_ACTORS = new Set(["smmu"]);

/** The tag whose source a release's links open, and whether it is that release's own code. */
export function sourceTag(release: string): { tag: string; own: boolean } | null {
  if (mainlineIndex(release) >= 0) return { tag: release, own: true };
  const rfc = RFC_SOURCE_TAG[release];
  if (rfc && isRelease(release)) return { tag: rfc, own: false };
  return null;
}

/**
 * The C identifier a step's function names: `mutex_lock(&sva_lock)` → `mutex_lock`,
 * `iommu_sva_bind_device (guest)` → `iommu_sva_bind_device`; null for what is not kernel code.
 */
export function sourceIdent(actor: string, fn: string): string | null {
  if (HARDWARE_ACTORS.has(actor) || /\(VMM\)/.test(fn)) return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(fn);
  if (!m || m[1] === "dma") return null;
  return m[1]!;
}

export interface SourceLink {
  readonly ident: string;
  readonly url: string;
  /** "v6.1", or "v4.17 (rfc-2018 is not mainline)". */
  readonly label: string;
}

/** The link of a step's function in the release's source, or null when it has none. */
export function sourceLink(release: string, actor: string, fn: string): SourceLink | null {
  const ident = sourceIdent(actor, fn);
  const tag = sourceTag(release);
  if (ident === null || tag === null) return null;
  return {
    ident,
    url: `${ELIXIR}/${tag.tag}/A/ident/${ident}`,
    label: tag.own ? tag.tag : `${tag.tag} (${release} is not mainline)`,
  };
}
