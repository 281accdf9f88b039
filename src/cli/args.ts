/**
 * Command-line arguments as Unix tools read them (docs/cli.md): options anywhere, `--name
 * value` or `--name=value`, `--` ends the options, `-` is a positional (standard input).
 * Unknown options, missing values, extra arguments and numbers that are not plain decimal
 * integers (`1e3`, `0x10`, `-3`, `1.0`) are usage errors: exit 2, one line on stderr.
 */

export class UsageError extends Error {
  /** The command whose `--help` the message points to. */
  constructor(
    message: string,
    readonly command: string | null,
  ) {
    super(message);
  }
}

export type OptionKind = "flag" | "count" | "string" | "list";

export interface CommandSpec {
  readonly name: string;
  /** Positional arguments: the least and the most. */
  readonly positional: readonly [number, number];
  readonly options: Readonly<Record<string, OptionKind>>;
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Set<string>;
  readonly strings: Map<string, string>;
  readonly lists: Map<string, string[]>;
}

/** A non-negative decimal integer of at most 9 digits, or a usage error naming the option. */
export function strictCount(value: string, option: string, command: string): number {
  if (!/^\d{1,9}$/.test(value)) {
    throw new UsageError(`${option}: expected a non-negative integer, got "${value.slice(0, 20)}"`, command);
  }
  return Number(value);
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: new Set(), strings: new Map(), lists: new Map() };
  let options = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (options && arg === "--") {
      options = false;
      continue;
    }
    if (options && arg.startsWith("-") && arg !== "-") {
      const eq = arg.indexOf("=");
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const kind = spec.options[name];
      if (!kind) throw new UsageError(`${spec.name}: unknown option "${name.slice(0, 40)}"`, spec.name);
      if (kind === "flag") {
        if (eq > 0) throw new UsageError(`${name} takes no value`, spec.name);
        out.flags.add(name);
        continue;
      }
      let value: string | undefined;
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        i += 1;
      }
      if (value === undefined || (eq < 0 && value.startsWith("--") && value.length > 2)) {
        throw new UsageError(`${name}: expected a value`, spec.name);
      }
      if (kind === "list") out.lists.set(name, [...(out.lists.get(name) ?? []), value]);
      else {
        if (out.strings.has(name)) throw new UsageError(`${name} is given twice`, spec.name);
        if (kind === "count") strictCount(value, name, spec.name);
        out.strings.set(name, value);
      }
      continue;
    }
    out.positional.push(arg);
  }
  const [least, most] = spec.positional;
  if (out.positional.length > most) {
    throw new UsageError(
      `${spec.name}: unexpected argument "${out.positional[most]!.slice(0, 60)}"`,
      spec.name,
    );
  }
  if (out.positional.length < least) {
    throw new UsageError(
      `${spec.name}: missing ${least === 1 && most === 1 ? "its argument" : "arguments"}`,
      spec.name,
    );
  }
  return out;
}
