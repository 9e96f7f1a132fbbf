/**
 * Every error parsimony throws on purpose, in one place (as scikit-learn keeps its
 * exceptions in `sklearn/exceptions.py`).
 *
 * All of them are {@linkcode ParsimonyError}s: catch that one class to catch any
 * input or configuration problem. The message always names the function, the
 * argument (with an index when one element is at fault), what was expected and
 * what was received, so that a notebook user can fix the call without reading
 * the source.
 *
 * @module
 */

/** Machine-readable reason of a {@linkcode ParsimonyError}. */
export type ParsimonyErrorCode =
  | "shape"
  | "domain"
  | "nonFinite"
  | "type"
  | "option"
  | "backend"
  | "numerical";

/** Fields used to build a {@linkcode ParsimonyError}. */
export interface ParsimonyErrorInit {
  /** Machine-readable reason. */
  code: ParsimonyErrorCode;
  /** Public function that rejected the input, e.g. `"sinkhornLog"`. */
  fn: string;
  /** Offending argument, with index if useful, e.g. `"a[17]"` or `"options.tol"`. */
  arg: string;
  /** What was expected, in words: `"non-negative and finite"`. */
  expected: string;
  /** What was received, already formatted; omitted when not meaningful. */
  got?: string;
  /** Optional advice: what to change. */
  hint?: string;
}

/** Format a received value for an error message, short and unambiguous. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (Object.is(value, -0)) return "-0";
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const len = (value as unknown as { length?: number }).length;
    return len === undefined ? name : `a ${name} of length ${len}`;
  }
  if (typeof value === "function") return "a function";
  if (typeof value === "object") {
    const name = (value as object).constructor?.name;
    return name && name !== "Object" ? `a ${name}` : "an object";
  }
  return String(value);
}

/**
 * The base class of every error parsimony raises on purpose.
 *
 * Message format: `fn: 'arg' must be <expected>; got <got>. <hint>`
 *
 * @example
 * ```ts
 * import { ParsimonyError } from "@parsimony/parsimony/core";
 * const e = new ParsimonyError({ code: "domain", fn: "sinkhorn", arg: "options.reg", expected: "> 0", got: "-1" });
 * e.message; // => "sinkhorn: 'options.reg' must be > 0; got -1"
 * e.arg; // => "options.reg"
 * ```
 */
export class ParsimonyError extends Error {
  /** Machine-readable reason. */
  readonly code: ParsimonyErrorCode;
  /** Function that raised it. */
  readonly fn: string;
  /** Offending argument (with index). */
  readonly arg: string;
  /** What was expected. */
  readonly expected: string;
  /** What was received (formatted), if meaningful. */
  readonly got: string | undefined;

  /** Build the error from its fields; the message is derived from them. */
  constructor(init: ParsimonyErrorInit) {
    let msg = `${init.fn}: '${init.arg}' must be ${init.expected}`;
    if (init.got !== undefined) msg += `; got ${init.got}`;
    if (init.hint) msg += `. ${init.hint}`;
    super(msg);
    this.name = "ParsimonyError";
    this.code = init.code;
    this.fn = init.fn;
    this.arg = init.arg;
    this.expected = init.expected;
    this.got = init.got;
  }
}

/** Fields of a subclass error: the code is implied by the class. */
export type SubclassInit = Omit<ParsimonyErrorInit, "code">;

/**
 * Wrong dimensions: a matrix with the wrong number of rows, ragged rows, mismatched lengths.
 *
 * @example
 * ```ts
 * import { ShapeError } from "@parsimony/parsimony/core";
 * new ShapeError({ fn: "gemm", arg: "B", expected: "3 rows", got: "4" }).code; // => "shape"
 * ```
 */
export class ShapeError extends ParsimonyError {
  /** @param init the fields; `code` is `"shape"`. */
  constructor(init: SubclassInit) {
    super({ ...init, code: "shape" });
    this.name = "ShapeError";
  }
}

/**
 * A value outside its mathematical domain: negative mass, reg ≤ 0, k > n, probability > 1.
 *
 * @example
 * ```ts
 * import { DomainError } from "@parsimony/parsimony/core";
 * new DomainError({ fn: "f", arg: "reg", expected: "> 0", got: "0" }).code; // => "domain"
 * ```
 */
export class DomainError extends ParsimonyError {
  /** @param init the fields; `code` is `"domain"`. */
  constructor(init: SubclassInit) {
    super({ ...init, code: "domain" });
    this.name = "DomainError";
  }
}

/**
 * NaN or ±Infinity where a finite number is required.
 *
 * @example
 * ```ts
 * import { NonFiniteError } from "@parsimony/parsimony/core";
 * new NonFiniteError({ fn: "f", arg: "x[2]", expected: "finite", got: "NaN" }).code; // => "nonFinite"
 * ```
 */
export class NonFiniteError extends ParsimonyError {
  /** @param init the fields; `code` is `"nonFinite"`. */
  constructor(init: SubclassInit) {
    super({ ...init, code: "nonFinite" });
    this.name = "NonFiniteError";
  }
}

/**
 * A value of the wrong JavaScript type (a string where a number is needed, a float seed).
 *
 * @example
 * ```ts
 * import { TypeMismatchError } from "@parsimony/parsimony/core";
 * new TypeMismatchError({ fn: "rng", arg: "seed", expected: "an integer", got: '"a"' }).code; // => "type"
 * ```
 */
export class TypeMismatchError extends ParsimonyError {
  /** @param init the fields; `code` is `"type"`. */
  constructor(init: SubclassInit) {
    super({ ...init, code: "type" });
    this.name = "TypeMismatchError";
  }
}

/**
 * An unknown option key or an option value that breaks its constraint.
 *
 * @example
 * ```ts
 * import { OptionError } from "@parsimony/parsimony/core";
 * new OptionError({ fn: "f", arg: "options.tool", expected: "a known option (tol, maxIter)" }).code; // => "option"
 * ```
 */
export class OptionError extends ParsimonyError {
  /** @param init the fields; `code` is `"option"`. */
  constructor(init: SubclassInit) {
    super({ ...init, code: "option" });
    this.name = "OptionError";
  }
}

/**
 * A requested compute backend is not available (e.g. `backend: "gpu"` with no WebGPU adapter).
 *
 * @example
 * ```ts
 * import { BackendError } from "@parsimony/parsimony/core";
 * new BackendError({ fn: "sinkhorn", arg: "options.backend", expected: "an available backend", got: '"gpu"' }).code; // => "backend"
 * ```
 */
export class BackendError extends ParsimonyError {
  /** @param init the fields; `code` is `"backend"`. */
  constructor(init: SubclassInit) {
    super({ ...init, code: "backend" });
    this.name = "BackendError";
  }
}

/**
 * A computation that cannot proceed in floating point (a factorisation of a non-positive-definite
 * matrix, an underflowing kernel); the hint says what to use instead.
 *
 * @example
 * ```ts
 * import { NumericalError } from "@parsimony/parsimony/core";
 * new NumericalError({ fn: "choleskySolve", arg: "A", expected: "positive definite" }).code; // => "numerical"
 * ```
 */
export class NumericalError extends ParsimonyError {
  /** @param init the fields; `code` is `"numerical"`. */
  constructor(init: SubclassInit) {
    super({ ...init, code: "numerical" });
    this.name = "NumericalError";
  }
}
