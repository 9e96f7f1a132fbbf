/**
 * Generates the WebAssembly SIMD kernels of lib/ot (the CPU fast path of the f64 hot loops whose
 * reference twins are the TypeScript loops in lib/ot/_lse.ts):
 *
 *   kernels/ot/ot_simd.wat   — readable WAT source (generated here, committed)
 *   lib/ot/_simd_wasm.ts      — the two assembled binaries, base64, plus the SHA-256 of the WAT
 *
 * Run after editing this file (needs `wat2wasm` from Debian's `wabt` package; CI does not):
 *
 *   npx deno run -A scripts/build_ot_wasm.ts
 *
 * Two binaries come from the one WAT: the committed text imports a shared memory (assembled with
 * `wat2wasm --enable-threads`; the worker pool of lib/core/parallel.ts runs on it), and the same
 * text with a plain memory import serves runtimes without SharedArrayBuffer.
 *
 * Every n×m pass is exported as a blocked entry point (`*_b`, block index last): block b runs
 * rows [bR, min(n, bR + R)) and writes its own column partials and scalars, which the column
 * functions reduce in block order — so the results depend on the partition (chosen from n, m in
 * lib/ot/_simd.ts), never on how many threads run the blocks. One block is exactly the old pass.
 *
 * The exponential is inlined in every loop: Cody–Waite reduction x = k·ln2 + r (|r| ≤ ln2/2),
 * e^r = 1 + (r + r²·Q(r)) with Q the degree-11 Taylor tail evaluated by Estrin's scheme (short
 * dependency chains), and 2^k applied as two exact power-of-two factors so that subnormal
 * results round once. Accuracy is checked in tests/ot/simd_test.ts against Math.exp.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { Buffer } from "node:buffer";

const F = (v: number) => `(f64x2.splat (f64.const ${fmt(v)}))`;
function fmt(v: number): string {
  if (Number.isInteger(v)) return v.toFixed(1);
  return String(v);
}
const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
const C = Array.from({ length: 14 }, (_, k) => 1 / fact(k));
const SHIFT = 6755399441055744; // 1.5·2^52: adding it rounds to an integer kept in the low word
const LOG2E = 1.4426950408889634;
const LN2HI = 0.6931471803691238; // fdlibm split: kd·LN2HI is exact for |kd| < 2^11
const LN2LO = 1.9082149292705877e-10;

let uid = 0;
/** Locals needed by one inlined exp; returns [declarations, name prefix]. */
function expLocals(): [string, string] {
  const p = `$e${uid++}_`;
  const names = ["z", "r", "r2", "r4", "q", "k1"];
  return [names.map((n) => `(local ${p}${n} v128)`).join(" "), p];
}

/**
 * The exp's constants, splatted once per function into v128 locals before its loops (V8 would
 * otherwise rematerialise every splat inside the loop: ~3 instructions per constant per vector).
 */
const EXP_CONSTS: [string, string][] = [
  ["lo", F(-745.2)],
  ["hi", F(709.8)],
  ["log2e", F(LOG2E)],
  ["shift", F(SHIFT)],
  ["ln2hi", F(LN2HI)],
  ["ln2lo", F(LN2LO)],
  ["one", F(1)],
  ...Array.from({ length: 12 }, (_, k): [string, string] => [`c${k + 2}`, F(C[k + 2])]),
  ["bias", "(i64x2.splat (i64.const 1023))"],
];
const EXP_CONST_DECL = EXP_CONSTS.map(([n]) => `(local $k_${n} v128)`).join(" ");
const EXP_CONST_INIT = "\n    " + EXP_CONSTS.map(([n, v]) => `(local.set $k_${n} ${v})`).join("\n    ");
const K = (n: string) => `(local.get $k_${n})`;

/**
 * Statements computing e^x for the v128 local `x` (clobbered) into local `out`.
 *
 * 2^k is applied as two exact power-of-two factors 2^k1·2^k2 (k1 = k >> 1, k2 = k − k1) so that
 * subnormal results round once. The integer k sits in the low 32 bits of each lane of z = x·log2e +
 * 1.5·2^52; a factor's bits are ((k_i + 1023) mod 2^12) << 52, i.e. one 64-bit add and one 64-bit
 * shift per factor (whatever the upper 52 bits of the lane hold is shifted out).
 */
function expInline(x: string, out: string, p: string): string {
  const L = (n: string) => `(local.get ${p}${n})`;
  const q = (a: number, b: number) => `(f64x2.add ${K(`c${a}`)} (f64x2.mul ${K(`c${b}`)} ${L("r")}))`;
  const scale = (k: string) => `(i64x2.shl (i64x2.add ${k} ${K("bias")}) (i32.const 52))`;
  return `
      (local.set ${x} (f64x2.pmin (f64x2.pmax (local.get ${x}) ${K("lo")}) ${K("hi")}))
      (local.set ${p}z (f64x2.add (f64x2.mul (local.get ${x}) ${K("log2e")}) ${K("shift")}))
      (local.set ${p}r (f64x2.sub ${L("z")} ${K("shift")}))
      (local.set ${p}r (f64x2.sub (f64x2.sub (local.get ${x}) (f64x2.mul ${L("r")} ${K("ln2hi")})) (f64x2.mul ${
    L("r")
  } ${K("ln2lo")})))
      (local.set ${p}r2 (f64x2.mul ${L("r")} ${L("r")}))
      (local.set ${p}r4 (f64x2.mul ${L("r2")} ${L("r2")}))
      (local.set ${p}q (f64x2.add
        (f64x2.add ${q(2, 3)} (f64x2.mul ${q(4, 5)} ${L("r2")}))
        (f64x2.mul ${L("r4")} (f64x2.add
          (f64x2.add ${q(6, 7)} (f64x2.mul ${q(8, 9)} ${L("r2")}))
          (f64x2.mul ${L("r4")} (f64x2.add ${q(10, 11)} (f64x2.mul ${q(12, 13)} ${L("r2")})))))))
      (local.set ${p}q (f64x2.add ${K("one")} (f64x2.add ${L("r")} (f64x2.mul ${L("r2")} ${L("q")}))))
      (local.set ${p}k1 (i32x4.shr_s ${L("z")} (i32.const 1)))
      (local.set ${out} (f64x2.mul (f64x2.mul ${L("q")} ${scale(L("k1"))}) ${
    scale(`(i32x4.sub ${L("z")} ${L("k1")})`)
  }))`;
}

// Address of element j of an f64 array starting at byte offset `base`.
const at = (base: string, j: string) => `(i32.add (local.get ${base}) (i32.shl (local.get ${j}) (i32.const 3)))`;
const get = (base: string, j: string) => `(f64.load ${at(base, j)})`;
const put = (base: string, j: string, v: string) => `(f64.store ${at(base, j)} ${v})`;
const inc = (j: string, k = 1) => `(local.set ${j} (i32.add (local.get ${j}) (i32.const ${k})))`;
const loop = (name: string, cond: string, body: string) => `
    (block $${name}_d (loop $${name}_l
      (br_if $${name}_d ${cond})${body}
      (br $${name}_l)))`;
const lt = (j: string, n: string) => `(i32.ge_u (local.get ${j}) (local.get ${n}))`;

function expAffine(): string {
  const [dl, p] = expLocals();
  return `
  ;; dst[k] = exp(alpha·src[k] + beta), k < len (src may equal dst)
  (func $exp_affine (param $src i32) (param $dst i32) (param $len i32) (param $alpha f64) (param $beta f64)
    (local $k i32) (local $len2 i32) (local $x v128) (local $y v128) (local $av v128) (local $bv v128) ${dl} ${EXP_CONST_DECL}${EXP_CONST_INIT}
    (local.set $av (f64x2.splat (local.get $alpha))) (local.set $bv (f64x2.splat (local.get $beta)))
    (local.set $len2 (i32.and (local.get $len) (i32.const -2)))${
    loop(
      "a",
      lt("$k", "$len2"),
      `
      (local.set $x (f64x2.add (f64x2.mul (v128.load ${at("$src", "$k")}) (local.get $av)) (local.get $bv)))${
        expInline("$x", "$y", p)
      }
      (v128.store ${at("$dst", "$k")} (local.get $y))
      ${inc("$k", 2)}`,
    )
  }
    (if (i32.lt_u (local.get $k) (local.get $len)) (then
      (local.set $x (f64x2.splat (f64.add (f64.mul ${get("$src", "$k")} (local.get $alpha)) (local.get $beta))))${
    expInline("$x", "$y", p)
  }
      ${put("$dst", "$k", "(f64x2.extract_lane 0 (local.get $y))")})))`;
}

function scalingSweep(): string {
  return `
  ;; Row pass of one fused scaling-form Sinkhorn iteration over rows [0, n) of a block (twin of
  ;; scalingSweep in lib/ot/_lse.ts): u_i = a_i/(K_i·v), column sums Σ_i u_i K_ij into cp; returns Σ|u_i^old (K_i·v) − a_i|.
  (func $scaling_rows (param $kp i32) (param $n i32) (param $m i32) (param $ap i32)
    (param $up i32) (param $vp i32) (param $cp i32) (result f64)
    (local $i i32) (local $j i32) (local $row i32) (local $m4 i32) (local $m8 i32) (local $s0 v128) (local $s1 v128)
    (local $s2 v128) (local $s3 v128) (local $s f64) (local $ui f64) (local $uv v128) (local $err f64) (local $q i32) (local $w i32)
    (local.set $m4 (i32.and (local.get $m) (i32.const -4))) (local.set $m8 (i32.and (local.get $m) (i32.const -8)))${
    loop("z", lt("$j", "$m"), `\n      ${put("$cp", "$j", "(f64.const 0)")} ${inc("$j")}`)
  }
    (local.set $row (local.get $kp))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $s0 (v128.const f64x2 0 0)) (local.set $s1 (v128.const f64x2 0 0))
      (local.set $s2 (v128.const f64x2 0 0)) (local.set $s3 (v128.const f64x2 0 0)) (local.set $j (i32.const 0))${
        loop(
          "j8",
          lt("$j", "$m8"),
          `
        (local.set $q ${at("$row", "$j")}) (local.set $w ${at("$vp", "$j")})
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load (local.get $q)) (v128.load (local.get $w)))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 (local.get $q)) (v128.load offset=16 (local.get $w)))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=32 (local.get $q)) (v128.load offset=32 (local.get $w)))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=48 (local.get $q)) (v128.load offset=48 (local.get $w)))))
        ${inc("$j", 8)}`,
        )
      }${
        loop(
          "j",
          lt("$j", "$m4"),
          `
        (local.set $q ${at("$row", "$j")}) (local.set $w ${at("$vp", "$j")})
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load (local.get $q)) (v128.load (local.get $w)))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 (local.get $q)) (v128.load offset=16 (local.get $w)))))
        ${inc("$j", 4)}`,
        )
      }
      (local.set $s0 (f64x2.add (f64x2.add (local.get $s0) (local.get $s2)) (f64x2.add (local.get $s1) (local.get $s3))))
      (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))${
        loop(
          "t",
          lt("$j", "$m"),
          `
        (local.set $s (f64.add (local.get $s) (f64.mul ${get("$row", "$j")} ${get("$vp", "$j")}))) ${inc("$j")}`,
        )
      }
      (local.set $err (f64.add (local.get $err) (f64.abs (f64.sub (f64.mul ${get("$up", "$i")} (local.get $s)) ${
        get("$ap", "$i")
      }))))
      (local.set $ui (f64.div ${get("$ap", "$i")} (local.get $s)))
      ${put("$up", "$i", "(local.get $ui)")}
      (local.set $uv (f64x2.splat (local.get $ui))) (local.set $j (i32.const 0))${
        loop(
          "k8",
          lt("$j", "$m8"),
          `
        (local.set $q ${at("$cp", "$j")}) (local.set $w ${at("$row", "$j")})
        (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $uv) (v128.load (local.get $w)))))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.mul (local.get $uv) (v128.load offset=16 (local.get $w)))))
        (v128.store offset=32 (local.get $q) (f64x2.add (v128.load offset=32 (local.get $q)) (f64x2.mul (local.get $uv) (v128.load offset=32 (local.get $w)))))
        (v128.store offset=48 (local.get $q) (f64x2.add (v128.load offset=48 (local.get $q)) (f64x2.mul (local.get $uv) (v128.load offset=48 (local.get $w)))))
        ${inc("$j", 8)}`,
        )
      }${
        loop(
          "k",
          lt("$j", "$m4"),
          `
        (local.set $q ${at("$cp", "$j")}) (local.set $w ${at("$row", "$j")})
        (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $uv) (v128.load (local.get $w)))))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.mul (local.get $uv) (v128.load offset=16 (local.get $w)))))
        ${inc("$j", 4)}`,
        )
      }${
        loop(
          "k2",
          lt("$j", "$m"),
          `
        ${put("$cp", "$j", `(f64.add ${get("$cp", "$j")} (f64.mul (local.get $ui) ${get("$row", "$j")}))`)} ${
            inc("$j")
          }`,
        )
      }
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (local.get $err))`;
}

/** Row pass of the log sweep: t_j = exp(v_j − Cs_ij − M) for j < m, returns Σ t_j. */
function rowExp(): string {
  const [dl, p] = expLocals();
  const [dl2, p2] = expLocals();
  return `
  ;; t[j] = exp(v[j] − row[j] − M), returns Σ t (two independent exps per iteration)
  (func $row_exp (param $row i32) (param $vp i32) (param $tp i32) (param $m i32) (param $M f64) (result f64)
    (local $j i32) (local $m4 i32) (local $Mv v128) (local $x v128) (local $y v128) (local $x2 v128) (local $y2 v128)
    (local $s0 v128) (local $s1 v128) (local $s f64) ${dl} ${dl2} ${EXP_CONST_DECL}${EXP_CONST_INIT}
    (local.set $Mv (f64x2.splat (local.get $M)))
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))${
    loop(
      "j",
      lt("$j", "$m4"),
      `
      (local.set $x (f64x2.sub (f64x2.sub (v128.load ${at("$vp", "$j")}) (v128.load ${
        at("$row", "$j")
      })) (local.get $Mv)))
      (local.set $x2 (f64x2.sub (f64x2.sub (v128.load offset=16 ${at("$vp", "$j")}) (v128.load offset=16 ${
        at("$row", "$j")
      })) (local.get $Mv)))${expInline("$x", "$y", p)}${expInline("$x2", "$y2", p2)}
      (v128.store ${at("$tp", "$j")} (local.get $y))
      (v128.store offset=16 ${at("$tp", "$j")} (local.get $y2))
      (local.set $s0 (f64x2.add (local.get $s0) (local.get $y)))
      (local.set $s1 (f64x2.add (local.get $s1) (local.get $y2)))
      ${inc("$j", 4)}`,
    )
  }
    (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))${
    loop(
      "t",
      lt("$j", "$m"),
      `
      (local.set $x (f64x2.splat (f64.sub (f64.sub ${get("$vp", "$j")} ${get("$row", "$j")}) (local.get $M))))${
        expInline("$x", "$y", p)
      }
      ${put("$tp", "$j", "(f64x2.extract_lane 0 (local.get $y))")}
      (local.set $s (f64.add (local.get $s) (f64x2.extract_lane 0 (local.get $y))))
      ${inc("$j")}`,
    )
  }
    (local.get $s))
  ;; max_j (v[j] − row[j])
  (func $row_max (param $row i32) (param $vp i32) (param $m i32) (result f64)
    (local $j i32) (local $M f64) (local $x f64)
    (local.set $M (f64.const -inf))${
    loop(
      "j",
      lt("$j", "$m"),
      `
      (local.set $x (f64.sub ${get("$vp", "$j")} ${get("$row", "$j")}))
      (if (f64.gt (local.get $x) (local.get $M)) (then (local.set $M (local.get $x))))
      ${inc("$j")}`,
    )
  }
    (local.get $M))`;
}

function logSweep(): string {
  return `
  ;; Row pass of one fused log-domain Sinkhorn iteration over rows [0, n) of a block (twin of logSweep
  ;; in lib/ot/_lse.ts): u'_i into unp, column sums Σ_i P'_ij into cap (t: scratch row); returns the row error.
  (func $log_rows (param $csp i32) (param $n i32) (param $m i32) (param $ap i32) (param $lap i32)
    (param $up i32) (param $vp i32) (param $unp i32) (param $cap i32) (param $tp i32) (param $exact i32) (result f64)
    (local $i i32) (local $j i32) (local $row i32) (local $m4 i32) (local $ui f64) (local $M f64) (local $s f64) (local $rs f64)
    (local $err f64) (local $w f64) (local $wv v128) (local $q i32)
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))${
    loop("z", lt("$j", "$m"), `\n      ${put("$cap", "$j", "(f64.const 0)")} ${inc("$j")}`)
  }
    (local.set $row (local.get $csp))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $ui ${get("$up", "$i")})
      (if (local.get $exact)
        (then (local.set $M (call $row_max (local.get $row) (local.get $vp) (local.get $m))))
        (else (local.set $M (f64.neg (local.get $ui)))))
      (local.set $s (call $row_exp (local.get $row) (local.get $vp) (local.get $tp) (local.get $m) (local.get $M)))
      (if (local.get $exact)
        (then (local.set $rs (f64.mul (local.get $s) (call $exp (f64.add (local.get $M) (local.get $ui))))))
        (else
          (local.set $rs (local.get $s))
          (if (i32.eqz (i32.and (f64.ge (local.get $s) (f64.const 1e-200)) (f64.le (local.get $s) (f64.const 1e200))))
            (then
              (local.set $M (call $row_max (local.get $row) (local.get $vp) (local.get $m)))
              (local.set $s (call $row_exp (local.get $row) (local.get $vp) (local.get $tp) (local.get $m) (local.get $M)))))))
      (local.set $err (f64.add (local.get $err) (f64.abs (f64.sub (local.get $rs) ${get("$ap", "$i")}))))
      ${put("$unp", "$i", `(f64.sub (f64.sub ${get("$lap", "$i")} (local.get $M)) (call $log (local.get $s)))`)}
      (local.set $w (f64.div ${get("$ap", "$i")} (local.get $s)))
      (local.set $wv (f64x2.splat (local.get $w))) (local.set $j (i32.const 0))${
        loop(
          "k",
          lt("$j", "$m4"),
          `
        (local.set $q ${at("$cap", "$j")})
        (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (v128.load ${
            at("$tp", "$j")
          }) (local.get $wv))))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.mul (v128.load offset=16 ${
            at("$tp", "$j")
          }) (local.get $wv))))
        ${inc("$j", 4)}`,
        )
      }${
        loop(
          "k2",
          lt("$j", "$m"),
          `
        ${put("$cap", "$j", `(f64.add ${get("$cap", "$j")} (f64.mul ${get("$tp", "$j")} (local.get $w)))`)} ${
            inc("$j")
          }`,
        )
      }
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (local.get $err))
  ;; LSE_i (u[i] − Cs[i, j]), exact two-pass (the rare fallback of log_sweep)
  (func $col_lse (param $csp i32) (param $up i32) (param $n i32) (param $m i32) (param $j i32) (result f64)
    (local $i i32) (local $p i32) (local $M f64) (local $x f64) (local $s f64) (local $stride i32)
    (local.set $M (f64.const -inf)) (local.set $stride (i32.shl (local.get $m) (i32.const 3)))
    (local.set $p ${at("$csp", "$j")})${
    loop(
      "a",
      lt("$i", "$n"),
      `
      (local.set $x (f64.sub ${get("$up", "$i")} (f64.load (local.get $p))))
      (if (f64.gt (local.get $x) (local.get $M)) (then (local.set $M (local.get $x))))
      (local.set $p (i32.add (local.get $p) (local.get $stride))) ${inc("$i")}`,
    )
  }
    (if (i32.or (f64.eq (local.get $M) (f64.const -inf)) (f64.eq (local.get $M) (f64.const inf))) (then (return (local.get $M))))
    (local.set $i (i32.const 0)) (local.set $p ${at("$csp", "$j")})${
    loop(
      "b",
      lt("$i", "$n"),
      `
      (local.set $s (f64.add (local.get $s) (call $exp (f64.sub (f64.sub ${
        get("$up", "$i")
      } (f64.load (local.get $p))) (local.get $M)))))
      (local.set $p (i32.add (local.get $p) (local.get $stride))) ${inc("$i")}`,
    )
  }
    (f64.add (local.get $M) (call $log (local.get $s))))`;
}

function planPass(): string {
  const [dl, p] = expLocals();
  const [dl2, p2] = expLocals();
  return `
  ;; P = exp(u ⊕ v − Cs) with row sums, column sums; returns ΣP (twin of planPass in lib/ot/_lse.ts)
  (func $plan_rows (param $csp i32) (param $n i32) (param $m i32) (param $up i32) (param $vp i32) (param $pp i32)
    (param $rsp i32) (param $csum i32) (result f64)
    (local $i i32) (local $j i32) (local $m4 i32) (local $row i32) (local $prow i32) (local $uv v128) (local $x v128) (local $y v128)
    (local $x2 v128) (local $y2 v128) (local $s0 v128) (local $s1 v128) (local $s f64) (local $total f64) (local $q i32) ${dl} ${dl2} ${EXP_CONST_DECL}${EXP_CONST_INIT}
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))${
    loop("z", lt("$j", "$m"), `\n      ${put("$csum", "$j", "(f64.const 0)")} ${inc("$j")}`)
  }
    (local.set $row (local.get $csp)) (local.set $prow (local.get $pp))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $uv (f64x2.splat ${get("$up", "$i")}))
      (local.set $s0 (v128.const f64x2 0 0)) (local.set $s1 (v128.const f64x2 0 0)) (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m4"),
          `
        (local.set $x (f64x2.sub (f64x2.add (local.get $uv) (v128.load ${at("$vp", "$j")})) (v128.load ${
            at("$row", "$j")
          })))
        (local.set $x2 (f64x2.sub (f64x2.add (local.get $uv) (v128.load offset=16 ${
            at("$vp", "$j")
          })) (v128.load offset=16 ${at("$row", "$j")})))${expInline("$x", "$y", p)}${expInline("$x2", "$y2", p2)}
        (v128.store ${at("$prow", "$j")} (local.get $y))
        (v128.store offset=16 ${at("$prow", "$j")} (local.get $y2))
        (local.set $s0 (f64x2.add (local.get $s0) (local.get $y)))
        (local.set $s1 (f64x2.add (local.get $s1) (local.get $y2)))
        (local.set $q ${at("$csum", "$j")})
        (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (local.get $y)))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (local.get $y2)))
        ${inc("$j", 4)}`,
        )
      }
      (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
      (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))${
        loop(
          "t",
          lt("$j", "$m"),
          `
        (local.set $x (f64x2.splat (f64.sub (f64.add ${get("$up", "$i")} ${get("$vp", "$j")}) ${get("$row", "$j")})))${
            expInline("$x", "$y", p)
          }
        ${put("$prow", "$j", "(f64x2.extract_lane 0 (local.get $y))")}
        (local.set $s (f64.add (local.get $s) (f64x2.extract_lane 0 (local.get $y))))
        ${put("$csum", "$j", `(f64.add ${get("$csum", "$j")} (f64x2.extract_lane 0 (local.get $y)))`)}
        ${inc("$j")}`,
        )
      }
      ${put("$rsp", "$i", "(local.get $s)")}
      (local.set $total (f64.add (local.get $total) (local.get $s)))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 3))))
      (local.set $prow (i32.add (local.get $prow) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (local.get $total))`;
}

function cross(): string {
  return `
  ;; Σ_i em[i] · Σ_j P[i, j] en[j]  (the line-search cross term, twin in lib/ot/_newton.ts)
  (func $cross_rows (param $pp i32) (param $n i32) (param $m i32) (param $emp i32) (param $enp i32) (result f64)
    (local $i i32) (local $j i32) (local $m4 i32) (local $row i32) (local $s0 v128) (local $s1 v128) (local $s f64) (local $tot f64)
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
    (local.set $row (local.get $pp))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $s0 (v128.const f64x2 0 0)) (local.set $s1 (v128.const f64x2 0 0)) (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m4"),
          `
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load ${at("$row", "$j")}) (v128.load ${
            at("$enp", "$j")
          }))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 ${
            at("$row", "$j")
          }) (v128.load offset=16 ${at("$enp", "$j")}))))
        ${inc("$j", 4)}`,
        )
      }
      (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
      (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))${
        loop(
          "t",
          lt("$j", "$m"),
          `\n        (local.set $s (f64.add (local.get $s) (f64.mul ${get("$row", "$j")} ${get("$enp", "$j")}))) ${
            inc("$j")
          }`,
        )
      }
      (local.set $tot (f64.add (local.get $tot) (f64.mul ${get("$emp", "$i")} (local.get $s))))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (local.get $tot))`;
}

function scalePlan(): string {
  return `
  ;; P ← (P·eu[i])·ev[j] in place, with row sums, column sums; returns ΣP (twin of scalePlan in lib/ot/_lse.ts)
  (func $scale_plan_rows (param $pp i32) (param $n i32) (param $m i32) (param $eup i32) (param $evp i32)
    (param $rsp i32) (param $csum i32) (result f64)
    (local $i i32) (local $j i32) (local $m4 i32) (local $row i32) (local $e f64) (local $ev v128) (local $y v128) (local $y2 v128)
    (local $s0 v128) (local $s1 v128) (local $s f64) (local $total f64) (local $q i32) (local $x f64)
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))${
    loop("z", lt("$j", "$m"), `\n      ${put("$csum", "$j", "(f64.const 0)")} ${inc("$j")}`)
  }
    (local.set $row (local.get $pp))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $e ${get("$eup", "$i")}) (local.set $ev (f64x2.splat (local.get $e)))
      (local.set $s0 (v128.const f64x2 0 0)) (local.set $s1 (v128.const f64x2 0 0)) (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m4"),
          `
        (local.set $q ${at("$row", "$j")})
        (local.set $y (f64x2.mul (f64x2.mul (v128.load (local.get $q)) (local.get $ev)) (v128.load ${
            at("$evp", "$j")
          })))
        (local.set $y2 (f64x2.mul (f64x2.mul (v128.load offset=16 (local.get $q)) (local.get $ev)) (v128.load offset=16 ${
            at("$evp", "$j")
          })))
        (v128.store (local.get $q) (local.get $y))
        (v128.store offset=16 (local.get $q) (local.get $y2))
        (local.set $s0 (f64x2.add (local.get $s0) (local.get $y)))
        (local.set $s1 (f64x2.add (local.get $s1) (local.get $y2)))
        (local.set $q ${at("$csum", "$j")})
        (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (local.get $y)))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (local.get $y2)))
        ${inc("$j", 4)}`,
        )
      }
      (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
      (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))${
        loop(
          "t",
          lt("$j", "$m"),
          `
        (local.set $x (f64.mul (f64.mul ${get("$row", "$j")} (local.get $e)) ${get("$evp", "$j")}))
        ${put("$row", "$j", "(local.get $x)")}
        (local.set $s (f64.add (local.get $s) (local.get $x)))
        ${put("$csum", "$j", `(f64.add ${get("$csum", "$j")} (local.get $x))`)}
        ${inc("$j")}`,
        )
      }
      ${put("$rsp", "$i", "(local.get $s)")}
      (local.set $total (f64.add (local.get $total) (local.get $s)))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (local.get $total))`;
}

const V = (base: string, j: string) => `(v128.load ${at(base, j)})`;
const hsum = (v: string) => `(f64.add (f64x2.extract_lane 0 ${v}) (f64x2.extract_lane 1 ${v}))`;

function stats(): string {
  return `
  ;; out[0] = min, out[1] = max of src[0..len), out[2] = Σ (x − x): NaN iff some entry is not finite
  (func $stats (param $src i32) (param $len i32) (param $out i32)
    (local $k i32) (local $len2 i32) (local $x v128) (local $mn v128) (local $mx v128) (local $bad v128)
    (local $s f64) (local $a f64) (local $b f64) (local $c f64)
    (local.set $mn (f64x2.splat (f64.const inf))) (local.set $mx (f64x2.splat (f64.const -inf)))
    (local.set $len2 (i32.and (local.get $len) (i32.const -2)))${
    loop(
      "a",
      lt("$k", "$len2"),
      `
      (local.set $x ${V("$src", "$k")})
      (local.set $mn (f64x2.pmin (local.get $mn) (local.get $x)))
      (local.set $mx (f64x2.pmax (local.get $mx) (local.get $x)))
      (local.set $bad (f64x2.add (local.get $bad) (f64x2.sub (local.get $x) (local.get $x))))
      ${inc("$k", 2)}`,
    )
  }
    (local.set $a (f64.min (f64x2.extract_lane 0 (local.get $mn)) (f64x2.extract_lane 1 (local.get $mn))))
    (local.set $b (f64.max (f64x2.extract_lane 0 (local.get $mx)) (f64x2.extract_lane 1 (local.get $mx))))
    (local.set $c ${hsum("(local.get $bad)")})
    (if (i32.lt_u (local.get $k) (local.get $len)) (then
      (local.set $s ${get("$src", "$k")})
      (local.set $a (f64.min (local.get $a) (local.get $s)))
      (local.set $b (f64.max (local.get $b) (local.get $s)))
      (local.set $c (f64.add (local.get $c) (f64.sub (local.get $s) (local.get $s))))))
    (f64.store (local.get $out) (local.get $a))
    (f64.store offset=8 (local.get $out) (local.get $b))
    (f64.store offset=16 (local.get $out) (local.get $c)))`;
}

function affine(): string {
  return `
  ;; dst[k] = src[k]·alpha + beta (src may equal dst); returns Σ (y − y): NaN iff some result is not finite
  (func $affine (param $src i32) (param $dst i32) (param $len i32) (param $alpha f64) (param $beta f64) (result f64)
    (local $k i32) (local $len2 i32) (local $y v128) (local $av v128) (local $bv v128) (local $bad v128) (local $s f64) (local $c f64)
    (local.set $av (f64x2.splat (local.get $alpha))) (local.set $bv (f64x2.splat (local.get $beta)))
    (local.set $len2 (i32.and (local.get $len) (i32.const -2)))${
    loop(
      "a",
      lt("$k", "$len2"),
      `
      (local.set $y (f64x2.add (f64x2.mul ${V("$src", "$k")} (local.get $av)) (local.get $bv)))
      (v128.store ${at("$dst", "$k")} (local.get $y))
      (local.set $bad (f64x2.add (local.get $bad) (f64x2.sub (local.get $y) (local.get $y))))
      ${inc("$k", 2)}`,
    )
  }
    (local.set $c ${hsum("(local.get $bad)")})
    (if (i32.lt_u (local.get $k) (local.get $len)) (then
      (local.set $s (f64.add (f64.mul ${get("$src", "$k")} (local.get $alpha)) (local.get $beta)))
      ${put("$dst", "$k", "(local.get $s)")}
      (local.set $c (f64.add (local.get $c) (f64.sub (local.get $s) (local.get $s))))))
    (local.get $c))`;
}

function expRows(): string {
  const [dl, p] = expLocals();
  return `
  ;; K[i, j] = exp(alpha·src[i, j] + beta) with row maxima (rmx), column maxima (cmx) and
  ;; out[0] = min K, out[1] = Σ (x − x) over src (NaN iff src has a non-finite entry)
  (func $exp_rows (param $src i32) (param $dst i32) (param $n i32) (param $m i32) (param $alpha f64) (param $beta f64)
    (param $rmx i32) (param $cmx i32) (param $out i32)
    (local $i i32) (local $j i32) (local $m2 i32) (local $row i32) (local $drow i32) (local $x v128) (local $y v128) (local $c v128)
    (local $av v128) (local $bv v128) (local $bad v128) (local $mn v128) (local $rm v128) (local $q i32) (local $sx f64) (local $r f64)
    (local $kmin f64) (local $badS f64) ${dl} ${EXP_CONST_DECL}${EXP_CONST_INIT}
    (local.set $av (f64x2.splat (local.get $alpha))) (local.set $bv (f64x2.splat (local.get $beta)))
    (local.set $mn (f64x2.splat (f64.const inf)))
    (local.set $m2 (i32.and (local.get $m) (i32.const -2)))${
    loop("z", lt("$j", "$m"), `\n      ${put("$cmx", "$j", "(f64.const 0)")} ${inc("$j")}`)
  }
    (local.set $row (local.get $src)) (local.set $drow (local.get $dst))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $rm (v128.const f64x2 0 0)) (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m2"),
          `
        (local.set $c ${V("$row", "$j")})
        (local.set $bad (f64x2.add (local.get $bad) (f64x2.sub (local.get $c) (local.get $c))))
        (local.set $x (f64x2.add (f64x2.mul (local.get $c) (local.get $av)) (local.get $bv)))${expInline("$x", "$y", p)}
        (v128.store ${at("$drow", "$j")} (local.get $y))
        (local.set $rm (f64x2.pmax (local.get $rm) (local.get $y)))
        (local.set $mn (f64x2.pmin (local.get $mn) (local.get $y)))
        (local.set $q ${at("$cmx", "$j")})
        (v128.store (local.get $q) (f64x2.pmax (v128.load (local.get $q)) (local.get $y)))
        ${inc("$j", 2)}`,
        )
      }
      (local.set $r (f64.max (f64x2.extract_lane 0 (local.get $rm)) (f64x2.extract_lane 1 (local.get $rm))))
      (if (i32.lt_u (local.get $j) (local.get $m)) (then
        (local.set $sx ${get("$row", "$j")})
        (local.set $badS (f64.add (local.get $badS) (f64.sub (local.get $sx) (local.get $sx))))
        (local.set $x (f64x2.splat (f64.add (f64.mul (local.get $sx) (local.get $alpha)) (local.get $beta))))${
        expInline("$x", "$y", p)
      }
        (local.set $sx (f64x2.extract_lane 0 (local.get $y)))
        ${put("$drow", "$j", "(local.get $sx)")}
        (local.set $r (f64.max (local.get $r) (local.get $sx)))
        (local.set $mn (f64x2.pmin (local.get $mn) (local.get $y)))
        ${put("$cmx", "$j", `(f64.max ${get("$cmx", "$j")} (local.get $sx))`)}))
      ${put("$rmx", "$i", "(local.get $r)")}
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 3))))
      (local.set $drow (i32.add (local.get $drow) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (local.set $kmin (f64.min (f64x2.extract_lane 0 (local.get $mn)) (f64x2.extract_lane 1 (local.get $mn))))
    (f64.store (local.get $out) (local.get $kmin))
    (f64.store offset=8 (local.get $out) (f64.add (local.get $badS) ${hsum("(local.get $bad)")})))`;
}

function scalePlanCost(): string {
  return `
  ;; P ← (K·eu[i])·ev[j] (P may equal K) with row sums, column sums, out[0] = Σ C·P; returns ΣP
  (func $scale_plan_cost_rows (param $kp i32) (param $cp i32) (param $n i32) (param $m i32) (param $eup i32) (param $evp i32)
    (param $pp i32) (param $rsp i32) (param $csum i32) (param $out i32) (result f64)
    (local $i i32) (local $j i32) (local $m2 i32) (local $krow i32) (local $crow i32) (local $prow i32) (local $e f64) (local $ev v128)
    (local $y v128) (local $s0 v128) (local $cs v128) (local $s f64) (local $total f64) (local $q i32) (local $x f64) (local $ct f64)
    (local.set $m2 (i32.and (local.get $m) (i32.const -2)))${
    loop("z", lt("$j", "$m"), `\n      ${put("$csum", "$j", "(f64.const 0)")} ${inc("$j")}`)
  }
    (local.set $krow (local.get $kp)) (local.set $crow (local.get $cp)) (local.set $prow (local.get $pp))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $e ${get("$eup", "$i")}) (local.set $ev (f64x2.splat (local.get $e)))
      (local.set $s0 (v128.const f64x2 0 0)) (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m2"),
          `
        (local.set $y (f64x2.mul (f64x2.mul ${V("$krow", "$j")} (local.get $ev)) ${V("$evp", "$j")}))
        (v128.store ${at("$prow", "$j")} (local.get $y))
        (local.set $s0 (f64x2.add (local.get $s0) (local.get $y)))
        (local.set $cs (f64x2.add (local.get $cs) (f64x2.mul ${V("$crow", "$j")} (local.get $y))))
        (local.set $q ${at("$csum", "$j")})
        (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (local.get $y)))
        ${inc("$j", 2)}`,
        )
      }
      (local.set $s ${hsum("(local.get $s0)")})
      (if (i32.lt_u (local.get $j) (local.get $m)) (then
        (local.set $x (f64.mul (f64.mul ${get("$krow", "$j")} (local.get $e)) ${get("$evp", "$j")}))
        ${put("$prow", "$j", "(local.get $x)")}
        (local.set $s (f64.add (local.get $s) (local.get $x)))
        (local.set $ct (f64.add (local.get $ct) (f64.mul ${get("$crow", "$j")} (local.get $x))))
        ${put("$csum", "$j", `(f64.add ${get("$csum", "$j")} (local.get $x))`)}))
      ${put("$rsp", "$i", "(local.get $s)")}
      (local.set $total (f64.add (local.get $total) (local.get $s)))
      (local.set $krow (i32.add (local.get $krow) (i32.shl (local.get $m) (i32.const 3))))
      (local.set $crow (i32.add (local.get $crow) (i32.shl (local.get $m) (i32.const 3))))
      (local.set $prow (i32.add (local.get $prow) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (f64.store (local.get $out) (f64.add (local.get $ct) ${hsum("(local.get $cs)")}))
    (local.get $total))`;
}

function costEnt(): string {
  return `
  ;; out[0] = Σ C·P, out[1] = Σ P·((u_i + v_j) − Cs_ij) (the entropy term Σ P log P of P = exp(u ⊕ v − Cs))
  (func $cost_ent_rows (param $pp i32) (param $cp i32) (param $csp i32) (param $n i32) (param $m i32) (param $up i32) (param $vp i32)
    (param $out i32)
    (local $i i32) (local $j i32) (local $m2 i32) (local $off i32) (local $uv v128) (local $y v128) (local $cs v128) (local $es v128)
    (local $ui f64) (local $x f64) (local $ct f64) (local $et f64)
    (local.set $m2 (i32.and (local.get $m) (i32.const -2)))${
    loop(
      "i",
      lt("$i", "$n"),
      `
      (local.set $ui ${get("$up", "$i")}) (local.set $uv (f64x2.splat (local.get $ui))) (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m2"),
          `
        (local.set $y (v128.load (i32.add (local.get $pp) (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $cs (f64x2.add (local.get $cs) (f64x2.mul (v128.load (i32.add (local.get $cp) (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3))))) (local.get $y))))
        (local.set $es (f64x2.add (local.get $es) (f64x2.mul (local.get $y) (f64x2.sub (f64x2.add (local.get $uv) ${
            V("$vp", "$j")
          }) (v128.load (i32.add (local.get $csp) (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3)))))))))
        ${inc("$j", 2)}`,
        )
      }
      (if (i32.lt_u (local.get $j) (local.get $m)) (then
        (local.set $x (f64.load (i32.add (local.get $pp) (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $ct (f64.add (local.get $ct) (f64.mul (f64.load (i32.add (local.get $cp) (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3))))) (local.get $x))))
        (local.set $et (f64.add (local.get $et) (f64.mul (local.get $x) (f64.sub (f64.add (local.get $ui) ${
        get("$vp", "$j")
      }) (f64.load (i32.add (local.get $csp) (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3)))))))))))
      (local.set $off (i32.add (local.get $off) (i32.shl (local.get $m) (i32.const 3))))
      ${inc("$i")}`,
    )
  }
    (f64.store (local.get $out) (f64.add (local.get $ct) ${hsum("(local.get $cs)")}))
    (f64.store offset=8 (local.get $out) (f64.add (local.get $et) ${hsum("(local.get $es)")})))`;
}

// ---------------------------------------------------------------------------------------------
// Blocked entry points. Each n×m pass runs over a block of R rows (block b: rows [bR, min(n, bR + R)));
// each elementwise pass over a block of L entries. A block writes its own column partials (at
// part + b·ps doubles), its own scalars (4 doubles at outp + 32b) and its rows' outputs; the column
// functions reduce the partials in block order. The partition comes from the caller and never
// depends on how many threads run the blocks, so the results do not either; one block is exactly
// the unblocked pass.

const ROW_LOCALS = "(local $i0 i32) (local $nr i32) (local $ro i32) (local $vo i32) (local $ob i32) (local $pb i32)";
/** Block bounds: i0, nr (rows), ro (byte offset of row i0), vo (byte offset of entry i0), ob (scalars), pb (partials). */
const ROW_SETUP = `
    (local.set $i0 (i32.mul (local.get $b) (local.get $R)))
    (local.set $nr (i32.add (local.get $i0) (local.get $R)))
    (local.set $nr (i32.sub (select (local.get $n) (local.get $nr) (i32.lt_u (local.get $n) (local.get $nr))) (local.get $i0)))
    (local.set $ro (i32.mul (local.get $i0) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $vo (i32.shl (local.get $i0) (i32.const 3)))
    (local.set $ob (i32.add (local.get $outp) (i32.shl (local.get $b) (i32.const 5))))`;
const PART_SETUP = `
    (local.set $pb (i32.add (local.get $part) (i32.shl (i32.mul (local.get $b) (local.get $ps)) (i32.const 3))))`;
const EL_LOCALS = "(local $k0 i32) (local $nk i32) (local $ko i32) (local $ob i32)";
const EL_SETUP = `
    (local.set $k0 (i32.mul (local.get $b) (local.get $L)))
    (local.set $nk (i32.add (local.get $k0) (local.get $L)))
    (local.set $nk (i32.sub (select (local.get $len) (local.get $nk) (i32.lt_u (local.get $len) (local.get $nk))) (local.get $k0)))
    (local.set $ko (i32.shl (local.get $k0) (i32.const 3)))
    (local.set $ob (i32.add (local.get $outp) (i32.shl (local.get $b) (i32.const 5))))`;
const P = (names: string) =>
  names.split(" ").map((x) => {
    const [n, t] = x.split(":");
    return `(param $${n} ${t ?? "i32"})`;
  }).join(" ");
const ROW = (x: string) => `(i32.add (local.get $${x}) (local.get $ro))`;
const VEC = (x: string) => `(i32.add (local.get $${x}) (local.get $vo))`;
const EL = (x: string) => `(i32.add (local.get $${x}) (local.get $ko))`;
const L_ = (x: string) => `(local.get $${x})`;

function blocked(): string {
  const rows = (name: string, params: string, body: string, part = true) => `
  (func (export "${name}") ${P(params)}
    ${ROW_LOCALS}${ROW_SETUP}${part ? PART_SETUP : ""}
    ${body})`;
  const els = (name: string, params: string, body: string) => `
  (func (export "${name}") ${P(params)}
    ${EL_LOCALS}${EL_SETUP}
    ${body})`;
  return `
  ;; ---- blocked entry points (see scripts/build_ot_wasm.ts) ----${
    els(
      "exp_affine_b",
      "src dst len alpha:f64 beta:f64 outp L b",
      `(call $exp_affine ${EL("src")} ${EL("dst")} ${L_("nk")} ${L_("alpha")} ${L_("beta")})`,
    )
  }${
    rows(
      "scaling_rows_b",
      "kp n m ap up vp part ps outp R b",
      `(f64.store (local.get $ob) (call $scaling_rows ${ROW("kp")} ${L_("nr")} ${L_("m")} ${VEC("ap")} ${VEC("up")} ${
        L_("vp")
      } ${L_("pb")}))`,
    )
  }${
    rows(
      "log_rows_b",
      "csp n m ap lap up vp unp part ps tp outp exact R b",
      `(f64.store (local.get $ob) (call $log_rows ${ROW("csp")} ${L_("nr")} ${L_("m")} ${VEC("ap")} ${VEC("lap")} ${
        VEC("up")
      } ${L_("vp")} ${VEC("unp")} ${L_("pb")}
      (i32.add (local.get $tp) (i32.shl (i32.mul (local.get $b) (local.get $ps)) (i32.const 3))) ${L_("exact")}))`,
    )
  }${
    rows(
      "plan_b",
      "csp n m up vp pp rsp part ps outp R b",
      `(f64.store (local.get $ob) (call $plan_rows ${ROW("csp")} ${L_("nr")} ${L_("m")} ${VEC("up")} ${L_("vp")} ${
        ROW("pp")
      } ${VEC("rsp")} ${L_("pb")}))`,
    )
  }${
    rows(
      "cross_b",
      "pp n m emp enp outp R b",
      `(f64.store (local.get $ob) (call $cross_rows ${ROW("pp")} ${L_("nr")} ${L_("m")} ${VEC("emp")} ${L_("enp")}))`,
      false,
    )
  }${
    rows(
      "scale_plan_b",
      "pp n m eup evp rsp part ps outp R b",
      `(f64.store (local.get $ob) (call $scale_plan_rows ${ROW("pp")} ${L_("nr")} ${L_("m")} ${VEC("eup")} ${
        L_("evp")
      } ${VEC("rsp")} ${L_("pb")}))`,
    )
  }${els("stats_b", "src len outp L b", `(call $stats ${EL("src")} ${L_("nk")} ${L_("ob")})`)}${
    els(
      "affine_b",
      "src dst len alpha:f64 beta:f64 outp L b",
      `(f64.store (local.get $ob) (call $affine ${EL("src")} ${EL("dst")} ${L_("nk")} ${L_("alpha")} ${L_("beta")}))`,
    )
  }${
    rows(
      "exp_rows_b",
      "src dst n m alpha:f64 beta:f64 rmx part ps outp R b",
      `(call $exp_rows ${ROW("src")} ${ROW("dst")} ${L_("nr")} ${L_("m")} ${L_("alpha")} ${L_("beta")} ${VEC("rmx")} ${
        L_("pb")
      } ${L_("ob")})`,
    )
  }${
    rows(
      "scale_plan_cost_b",
      "kp cp n m eup evp pp rsp part ps outp R b",
      `(f64.store offset=8 (local.get $ob) (call $scale_plan_cost_rows ${ROW("kp")} ${ROW("cp")} ${L_("nr")} ${
        L_("m")
      } ${VEC("eup")} ${L_("evp")} ${ROW("pp")} ${VEC("rsp")} ${L_("pb")} ${L_("ob")}))`,
    )
  }${
    rows(
      "cost_ent_b",
      "pp cp csp n m up vp outp R b",
      `(call $cost_ent_rows ${ROW("pp")} ${ROW("cp")} ${ROW("csp")} ${L_("nr")} ${L_("m")} ${VEC("up")} ${L_("vp")} ${
        L_("ob")
      })`,
      false,
    )
  }${reduce("add")}${reduce("max")}${hessVec()}${sparsifyRows()}${sparsifyCols()}
  ;; v[j] = b[j] / Σ_b part_b[j]: the column half of the scaling-form iteration (partials reduced into part_0)
  (func (export "scaling_cols") (param $part i32) (param $ps i32) (param $nb i32) (param $m i32) (param $bp i32) (param $vp i32)
    (local $j i32)
    (call $reduce_add (local.get $part) (local.get $ps) (local.get $nb) (local.get $m) (local.get $part))${
    loop(
      "v",
      lt("$j", "$m"),
      `\n      ${put("$vp", "$j", `(f64.div ${get("$bp", "$j")} ${get("$part", "$j")})`)} ${inc("$j")}`,
    )
  })
  ;; v'[j] = v[j] + log b[j] − log Σ_b part_b[j] (an exact strided LSE where that sum is < 1e-250): the column
  ;; half of the log-domain iteration (twin of logSweep in lib/ot/_lse.ts; partials reduced into part_0)
  (func (export "log_cols") (param $csp i32) (param $n i32) (param $m i32) (param $part i32) (param $ps i32) (param $nb i32)
    (param $lbp i32) (param $vp i32) (param $vnp i32) (param $unp i32)
    (local $j i32) (local $cap i32) (local $cs f64)
    (call $reduce_add (local.get $part) (local.get $ps) (local.get $nb) (local.get $m) (local.get $part))
    (local.set $cap (local.get $part))
    (local.set $j (i32.const 0))${
    loop(
      "v",
      lt("$j", "$m"),
      `
      (local.set $cs ${get("$cap", "$j")})
      (if (i32.and (f64.ge (local.get $cs) (f64.const 1e-250)) (f64.lt (local.get $cs) (f64.const inf)))
        (then ${
        put("$vnp", "$j", `(f64.sub (f64.add ${get("$vp", "$j")} ${get("$lbp", "$j")}) (call $log (local.get $cs)))`)
      })
        (else ${
        put(
          "$vnp",
          "$j",
          `(f64.sub ${
            get("$lbp", "$j")
          } (call $col_lse (local.get $csp) (local.get $unp) (local.get $n) (local.get $m) (local.get $j)))`,
        )
      }))
      ${inc("$j")}`,
    )
  }
  )`;
}

/**
 * The SNS Newton operator H̃w = (r⊙w₁ + P̃w₂, P̃ᵀw₁ + c⊙w₂) with P̃ in CSR (twin: hessVec in
 * lib/ot/_pcg.ts). Block b runs rows [rb[b], rb[b+1]) (bounds balancing nnz, fixed by the
 * pattern): out₁ for its rows and its own partial P̃ᵀw₁; hess_cols adds c⊙w₂ to the partials'
 * sum in block order.
 */
function hessVec(): string {
  return `
  ;; rows [rb[b], rb[b+1]): out[i] = r[i]·w[i] + Σ_k val[k]·w[n + ci[k]] (two accumulators: even and odd k of
  ;; the row); partial_b[ci[k]] += val[k]·w[i]
  (func (export "hess_vec_b") (param $rp i32) (param $ci i32) (param $val i32) (param $n i32) (param $m i32) (param $rv i32)
    (param $w i32) (param $out i32) (param $part i32) (param $ps i32) (param $rb i32) (param $b i32)
    (local $i i32) (local $i1 i32) (local $k i32) (local $e i32) (local $j i32) (local $pb i32) (local $w2 i32)
    (local $wi f64) (local $s f64) (local $s1 f64) (local $x f64) (local $x2 f64) (local $q i32) (local $e2 i32) (local $j2 i32)
    (local.set $pb (i32.add (local.get $part) (i32.shl (i32.mul (local.get $b) (local.get $ps)) (i32.const 3))))${
    loop("z", lt("$j", "$m"), `\n      ${put("$pb", "$j", "(f64.const 0)")} ${inc("$j")}`)
  }
    (local.set $w2 (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $i (i32.load (i32.add (local.get $rb) (i32.shl (local.get $b) (i32.const 2)))))
    (local.set $i1 (i32.load offset=4 (i32.add (local.get $rb) (i32.shl (local.get $b) (i32.const 2)))))${
    loop(
      "i",
      lt("$i", "$i1"),
      `
      (local.set $wi ${get("$w", "$i")})
      (local.set $s (f64.mul ${get("$rv", "$i")} (local.get $wi))) (local.set $s1 (f64.const 0))
      (local.set $k (i32.load (i32.add (local.get $rp) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $e (i32.load offset=4 (i32.add (local.get $rp) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $e2 (i32.sub (local.get $e) (i32.and (i32.sub (local.get $e) (local.get $k)) (i32.const 1))))${
        loop(
          "k",
          lt("$k", "$e2"),
          `
        (local.set $j (i32.load (i32.add (local.get $ci) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $j2 (i32.load offset=4 (i32.add (local.get $ci) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $x ${get("$val", "$k")})
        (local.set $x2 (f64.load offset=8 ${at("$val", "$k")}))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) ${get("$w2", "$j")})))
        (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $x2) ${get("$w2", "$j2")})))
        (local.set $q ${at("$pb", "$j")})
        (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.mul (local.get $x) (local.get $wi))))
        (local.set $q ${at("$pb", "$j2")})
        (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.mul (local.get $x2) (local.get $wi))))
        ${inc("$k", 2)}`,
        )
      }
      (if (i32.lt_u (local.get $k) (local.get $e)) (then
        (local.set $j (i32.load (i32.add (local.get $ci) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $x ${get("$val", "$k")})
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) ${get("$w2", "$j")})))
        (local.set $q ${at("$pb", "$j")})
        (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.mul (local.get $x) (local.get $wi))))))
      (local.set $s (f64.add (local.get $s) (local.get $s1)))
      ${put("$out", "$i", "(local.get $s)")}
      ${inc("$i")}`,
    )
  })
  ;; out₂[j] = c[j]·w₂[j] + Σ_b partial_b[j] (partials reduced into partial_0 in block order)
  (func (export "hess_cols") (param $part i32) (param $ps i32) (param $nb i32) (param $m i32) (param $cv i32) (param $w2 i32) (param $out2 i32)
    (local $j i32)
    (call $reduce_add (local.get $part) (local.get $ps) (local.get $nb) (local.get $m) (local.get $part))${
    loop(
      "j",
      lt("$j", "$m"),
      `\n      ${
        put("$out2", "$j", `(f64.add (f64.mul ${get("$cv", "$j")} ${get("$w2", "$j")}) ${get("$part", "$j")})`)
      } ${inc("$j")}`,
    )
  })`;
}

/**
 * The O(nm) scan of the SNS sparsification (twin: SparseWorkspace.sparsify in lib/ot/_sparsify.ts),
 * per row block: the row mass rule (candidates above δ·rowsum/m, the smallest of them dropped while
 * their total stays within the budget — heapsort, then the same greedy cut as dropCut), marks
 * (one byte per entry) for the kept row entries, bit rows of the column candidates (entries above
 * the column level θ_j; W 32-bit words per row), and a top-k min-heap of the block's entries.
 */
const LD = (base: string, k: string) => `(f64.load ${at(base, k)})`;
const I = (base: string, k: string) =>
  `(i32.load (i32.add (local.get ${base}) (i32.shl (local.get ${k}) (i32.const 2))))`;
const setI = (base: string, k: string, v: string) =>
  `(i32.store (i32.add (local.get ${base}) (i32.shl (local.get ${k}) (i32.const 2))) ${v})`;

/**
 * Top-k min-heap insertion of $x (index o + j) into $hv/$hi (length $hlen, capacity $k) when
 * $x > $hmin; keeps $hmin = the heap minimum once full (the TS twin's sift-up / sift-down).
 */
function heapInsert(): string {
  return `        (if (f64.gt (local.get $x) (local.get $hmin)) (then
          (local.set $idx (i32.add (local.get $o) (local.get $j)))
          (if (i32.lt_u (local.get $hlen) (local.get $k))
            (then
              (local.set $c (local.get $hlen)) ${inc("$hlen")}
              (block $up_d (loop $up_l
                (br_if $up_d (i32.eqz (local.get $c)))
                (local.set $par (i32.shr_u (i32.sub (local.get $c) (i32.const 1)) (i32.const 1)))
                (br_if $up_d (f64.le ${LD("$hv", "$par")} (local.get $x)))
                ${put("$hv", "$c", LD("$hv", "$par"))} ${setI("$hi", "$c", I("$hi", "$par"))}
                (local.set $c (local.get $par))
                (br $up_l)))
              ${put("$hv", "$c", "(local.get $x)")} ${setI("$hi", "$c", "(local.get $idx)")}
              (if (i32.eq (local.get $hlen) (local.get $k)) (then (local.set $hmin (f64.load (local.get $hv))))))
            (else
              (local.set $c (i32.const 0))
              (block $dn_d (loop $dn_l
                (local.set $l (i32.add (i32.shl (local.get $c) (i32.const 1)) (i32.const 1)))
                (br_if $dn_d (i32.ge_u (local.get $l) (local.get $k)))
                (local.set $r (i32.add (local.get $l) (i32.const 1)))
                (local.set $sm (local.get $l))
                (if (i32.lt_u (local.get $r) (local.get $k)) (then
                  (if (f64.lt ${LD("$hv", "$r")} ${LD("$hv", "$l")}) (then (local.set $sm (local.get $r))))))
                (br_if $dn_d (f64.ge ${LD("$hv", "$sm")} (local.get $x)))
                ${put("$hv", "$c", LD("$hv", "$sm"))} ${setI("$hi", "$c", I("$hi", "$sm"))}
                (local.set $c (local.get $sm))
                (br $dn_l)))
              ${put("$hv", "$c", "(local.get $x)")} ${setI("$hi", "$c", "(local.get $idx)")}
              (local.set $hmin (f64.load (local.get $hv)))))))`;
}

function sparsifyRows(): string {
  return `
  ;; min-heap sift-down of a[i] within a[0..n) (f64)
  (func $mh_sift (param $a i32) (param $i i32) (param $n i32)
    (local $c i32) (local $x f64)
    (local.set $x ${LD("$a", "$i")})
    (block $d (loop $l
      (local.set $c (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 1)))
      (br_if $d (i32.ge_s (local.get $c) (local.get $n)))
      (if (i32.lt_s (i32.add (local.get $c) (i32.const 1)) (local.get $n)) (then
        (if (f64.lt (f64.load offset=8 ${at("$a", "$c")}) ${LD("$a", "$c")}) (then ${inc("$c")}))))
      (br_if $d (i32.eqz (f64.lt ${LD("$a", "$c")} (local.get $x))))
      ${put("$a", "$i", LD("$a", "$c"))}
      (local.set $i (local.get $c))
      (br $l)))
    ${put("$a", "$i", "(local.get $x)")})
  ;; smallest kept candidate value when the smallest may be dropped while their total stays ≤ room
  ;; (permutes cv; twin of dropCut in lib/ot/_sparsify.ts)
  (func $drop_cut (param $cv i32) (param $nc i32) (param $room f64) (result f64)
    (local $k i32) (local $q i32) (local $x f64) (local $above f64) (local $acc f64) (local $t i32)
    (if (i32.eqz (f64.gt (local.get $room) (f64.const 0))) (then (return (f64.const -inf))))
    (local.set $above (f64.const inf))${
    loop(
      "a",
      lt("$k", "$nc"),
      `
      (local.set $x ${LD("$cv", "$k")})
      (if (f64.le (local.get $x) (local.get $room))
        (then ${put("$cv", "$k", LD("$cv", "$q"))} ${put("$cv", "$q", "(local.get $x)")} ${inc("$q")})
        (else (if (f64.lt (local.get $x) (local.get $above)) (then (local.set $above (local.get $x))))))
      ${inc("$k")}`,
    )
  }
    (if (i32.eqz (local.get $q)) (then (return (f64.const -inf))))
    ;; take the droppable values in ascending order (min-heap pops: the same order and sums as a
    ;; full sort) while their running total stays ≤ room; the first that does not fit is the cut
    (local.set $t (i32.sub (i32.shr_s (local.get $q) (i32.const 1)) (i32.const 1)))
    (block $h_d (loop $h_l
      (br_if $h_d (i32.lt_s (local.get $t) (i32.const 0)))
      (call $mh_sift (local.get $cv) (local.get $t) (local.get $q))
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (br $h_l)))
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $q)))
      (local.set $x (f64.load (local.get $cv)))
      (if (i32.eqz (f64.le (f64.add (local.get $acc) (local.get $x)) (local.get $room))) (then (return (local.get $x))))
      (local.set $acc (f64.add (local.get $acc) (local.get $x)))
      (local.set $q (i32.sub (local.get $q) (i32.const 1)))
      (f64.store (local.get $cv) ${LD("$cv", "$q")})
      (call $mh_sift (local.get $cv) (i32.const 0) (local.get $q))
      (br $l)))
    (local.get $above))
  ;; rows [bR, min(n, bR + R)): the block's k largest entries (min-heap at hv/hi + b·k, length in out[4b])
  (func (export "topk_b") (param $pp i32) (param $n i32) (param $m i32) (param $k i32) (param $hvp i32) (param $hip i32)
    (param $outp i32) (param $R i32) (param $b i32)
    (local $i i32) (local $i1 i32) (local $j i32) (local $o i32) (local $hlen i32) (local $c i32) (local $par i32) (local $l i32)
    (local $r i32) (local $sm i32) (local $idx i32) (local $x f64) (local $hmin f64) (local $hv i32) (local $hi i32) (local $row i32)
    (local.set $i (i32.mul (local.get $b) (local.get $R)))
    (local.set $i1 (i32.add (local.get $i) (local.get $R)))
    (if (i32.gt_u (local.get $i1) (local.get $n)) (then (local.set $i1 (local.get $n))))
    (local.set $hv (i32.add (local.get $hvp) (i32.shl (i32.mul (local.get $b) (local.get $k)) (i32.const 3))))
    (local.set $hi (i32.add (local.get $hip) (i32.shl (i32.mul (local.get $b) (local.get $k)) (i32.const 2))))
    (local.set $hmin (f64.const -inf))${
    loop(
      "i",
      lt("$i", "$i1"),
      `
      (local.set $o (i32.mul (local.get $i) (local.get $m)))
      (local.set $row (i32.add (local.get $pp) (i32.shl (local.get $o) (i32.const 3))))
      (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m"),
          `
        (local.set $x ${LD("$row", "$j")})
${heapInsert()}
        ${inc("$j")}`,
        )
      }
      ${inc("$i")}`,
    )
  }
    (f64.store (i32.add (local.get $outp) (i32.shl (local.get $b) (i32.const 5))) (f64.convert_i32_u (local.get $hlen))))
  ;; rows [bR, min(n, bR + R)): row-rule marks, column-candidate bits, the block's top-k heap of entries
  ;; > hmin0 (hv/hi + b·k; its length in out[4b]); cv/ci + b·m: scratch
  (func (export "sparsify_rows_b") (param $pp i32) (param $n i32) (param $m i32) (param $rsp i32) (param $tcp i32)
    (param $delta f64) (param $useMass i32) (param $useTop i32) (param $k i32) (param $hmin0 f64) (param $markp i32) (param $bitsp i32)
    (param $W i32) (param $hvp i32) (param $hip i32) (param $outp i32) (param $cvp i32) (param $cip i32) (param $R i32) (param $b i32)
    (local $i i32) (local $i1 i32) (local $j i32) (local $o i32) (local $nc i32) (local $q i32) (local $word i32) (local $hlen i32)
    (local $c i32) (local $par i32) (local $l i32) (local $r i32) (local $sm i32) (local $idx i32)
    (local $x f64) (local $rs f64) (local $budget f64) (local $thetaRow f64) (local $dropped f64) (local $hmin f64) (local $cut f64)
    (local $hv i32) (local $hi i32) (local $cv i32) (local $ci i32) (local $row i32)
    (local.set $i (i32.mul (local.get $b) (local.get $R)))
    (local.set $i1 (i32.add (local.get $i) (local.get $R)))
    (if (i32.gt_u (local.get $i1) (local.get $n)) (then (local.set $i1 (local.get $n))))
    (local.set $hv (i32.add (local.get $hvp) (i32.shl (i32.mul (local.get $b) (local.get $k)) (i32.const 3))))
    (local.set $hi (i32.add (local.get $hip) (i32.shl (i32.mul (local.get $b) (local.get $k)) (i32.const 2))))
    (local.set $cv (i32.add (local.get $cvp) (i32.shl (i32.mul (local.get $b) (local.get $m)) (i32.const 3))))
    (local.set $ci (i32.add (local.get $cip) (i32.shl (i32.mul (local.get $b) (local.get $m)) (i32.const 2))))
    (local.set $hmin (select (local.get $hmin0) (f64.const inf) (local.get $useTop)))${
    loop(
      "i",
      lt("$i", "$i1"),
      `
      (local.set $o (i32.mul (local.get $i) (local.get $m)))
      (local.set $row (i32.add (local.get $pp) (i32.shl (local.get $o) (i32.const 3))))
      (local.set $rs ${LD("$rsp", "$i")})
      (local.set $budget (f64.mul (local.get $delta) (local.get $rs)))
      (local.set $thetaRow (f64.const inf))
      (if (i32.and (local.get $useMass) (f64.gt (local.get $rs) (f64.const 0)))
        (then (local.set $thetaRow (f64.div (local.get $budget) (f64.convert_i32_u (local.get $m))))))
      (local.set $nc (i32.const 0)) (local.set $dropped (f64.const 0)) (local.set $word (i32.const 0)) (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m"),
          `
        (local.set $x ${LD("$row", "$j")})
        (if (f64.gt (local.get $x) (local.get $thetaRow))
          (then ${put("$cv", "$nc", "(local.get $x)")} ${setI("$ci", "$nc", "(local.get $j)")} ${inc("$nc")})
          (else (local.set $dropped (f64.add (local.get $dropped) (local.get $x)))))
        (if (f64.gt (local.get $x) ${LD("$tcp", "$j")})
          (then (local.set $word (i32.or (local.get $word) (i32.shl (i32.const 1) (local.get $j))))))
        (if (i32.eq (i32.and (local.get $j) (i32.const 31)) (i32.const 31)) (then
          (i32.store (i32.add (local.get $bitsp) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $W)) (i32.shr_u (local.get $j) (i32.const 5))) (i32.const 2))) (local.get $word))
          (local.set $word (i32.const 0))))
${heapInsert()}
        ${inc("$j")}`,
        )
      }
      (if (i32.and (local.get $m) (i32.const 31)) (then
        (i32.store (i32.add (local.get $bitsp) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $W)) (i32.shr_u (local.get $m) (i32.const 5))) (i32.const 2))) (local.get $word))))
      (if (i32.and (local.get $useMass) (i32.gt_u (local.get $nc) (i32.const 0))) (then
        (local.set $cut (call $drop_cut (local.get $cv) (local.get $nc) (f64.sub (local.get $budget) (local.get $dropped))))
        (local.set $q (i32.const 0))
        (block $mk_d (loop $mk_l
          (br_if $mk_d (i32.ge_u (local.get $q) (local.get $nc)))
          (local.set $j ${I("$ci", "$q")})
          (if (f64.ge ${LD("$row", "$j")} (local.get $cut)) (then
            (i32.store8 (i32.add (local.get $markp) (i32.add (local.get $o) (local.get $j))) (i32.const 1))))
          ${inc("$q")}
          (br $mk_l)))))
      ${inc("$i")}`,
    )
  }
    (f64.store (i32.add (local.get $outp) (i32.shl (local.get $b) (i32.const 5))) (f64.convert_i32_u (local.get $hlen))))`;
}

/**
 * The column rule and the CSR of the SNS sparsification (twins: #columns and #csr of
 * SparseWorkspace). Columns [b·CB, min(m, (b+1)·CB)): each column's candidates (its bits, in row
 * order) are cut like a row's and their marks set. The CSR: per-row counts of the marks, then
 * (after the caller's prefix sum into rowPtr) column indices and values in row-major order, the
 * marks cleared.
 */
function sparsifyCols(): string {
  return `
  ;; columns [b·CB, min(m, (b+1)·CB)), CB a multiple of 32: one bit word column at a time, each column's
  ;; candidates gathered in row order (counts, offsets, fill) into cv/ci + b·32n, then cut and marked;
  ;; wk + b·96: counts, offsets, positions (3 × 32 i32)
  (func (export "sparsify_cols_b") (param $pp i32) (param $n i32) (param $m i32) (param $csp i32) (param $delta f64)
    (param $markp i32) (param $bitsp i32) (param $W i32) (param $cvp i32) (param $cip i32) (param $wkp i32) (param $CB i32) (param $b i32)
    (local $wj i32) (local $wj1 i32) (local $i i32) (local $t i32) (local $w i32) (local $j i32) (local $q i32) (local $e i32)
    (local $s i32) (local $c i32) (local $cnt i32) (local $cv i32) (local $ci i32) (local $wk i32) (local $wp i32)
    (local $x f64) (local $kept f64) (local $cs f64) (local $dropped f64) (local $cut f64)
    (local.set $wj (i32.shr_u (i32.mul (local.get $b) (local.get $CB)) (i32.const 5)))
    (local.set $wj1 (i32.add (local.get $wj) (i32.shr_u (local.get $CB) (i32.const 5))))
    (if (i32.gt_u (local.get $wj1) (local.get $W)) (then (local.set $wj1 (local.get $W))))
    (local.set $cv (i32.add (local.get $cvp) (i32.shl (i32.mul (local.get $b) (i32.shl (local.get $n) (i32.const 5))) (i32.const 3))))
    (local.set $ci (i32.add (local.get $cip) (i32.shl (i32.mul (local.get $b) (i32.shl (local.get $n) (i32.const 5))) (i32.const 2))))
    (local.set $wk (i32.add (local.get $wkp) (i32.mul (local.get $b) (i32.const 384))))${
    loop(
      "wc",
      lt("$wj", "$wj1"),
      `
      (local.set $t (i32.const 0))${
        loop(
          "z",
          "(i32.ge_u (local.get $t) (i32.const 32))",
          `
        ${setI("$wk", "$t", "(i32.const 0)")} ${inc("$t")}`,
        )
      }
      ;; counts per column of the word column
      (local.set $wp (i32.add (local.get $bitsp) (i32.shl (local.get $wj) (i32.const 2))))
      (local.set $i (i32.const 0))${
        loop(
          "ca",
          lt("$i", "$n"),
          `
        (local.set $w (i32.load (local.get $wp)))
        (block $cb_d (loop $cb_l
          (br_if $cb_d (i32.eqz (local.get $w)))
          (local.set $t (i32.ctz (local.get $w)))
          ${setI("$wk", "$t", `(i32.add ${I("$wk", "$t")} (i32.const 1))`)}
          (local.set $w (i32.and (local.get $w) (i32.sub (local.get $w) (i32.const 1))))
          (br $cb_l)))
        (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $W) (i32.const 2))))
        ${inc("$i")}`,
        )
      }
      ;; offsets (wk + 32) and fill positions (wk + 64)
      (local.set $s (i32.const 0)) (local.set $t (i32.const 0))${
        loop(
          "of",
          "(i32.ge_u (local.get $t) (i32.const 32))",
          `
        (i32.store offset=128 (i32.add (local.get $wk) (i32.shl (local.get $t) (i32.const 2))) (local.get $s))
        (i32.store offset=256 (i32.add (local.get $wk) (i32.shl (local.get $t) (i32.const 2))) (local.get $s))
        (local.set $s (i32.add (local.get $s) ${I("$wk", "$t")}))
        ${inc("$t")}`,
        )
      }
      ;; fill, rows ascending
      (local.set $wp (i32.add (local.get $bitsp) (i32.shl (local.get $wj) (i32.const 2))))
      (local.set $i (i32.const 0))${
        loop(
          "fa",
          lt("$i", "$n"),
          `
        (local.set $w (i32.load (local.get $wp)))
        (block $fb_d (loop $fb_l
          (br_if $fb_d (i32.eqz (local.get $w)))
          (local.set $t (i32.ctz (local.get $w)))
          (local.set $j (i32.add (i32.shl (local.get $wj) (i32.const 5)) (local.get $t)))
          (local.set $q (i32.load offset=256 (i32.add (local.get $wk) (i32.shl (local.get $t) (i32.const 2)))))
          ${
            put(
              "$cv",
              "$q",
              "(f64.load (i32.add (local.get $pp) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $m)) (local.get $j)) (i32.const 3))))",
            )
          }
          ${setI("$ci", "$q", "(local.get $i)")}
          (i32.store offset=256 (i32.add (local.get $wk) (i32.shl (local.get $t) (i32.const 2))) (i32.add (local.get $q) (i32.const 1)))
          (local.set $w (i32.and (local.get $w) (i32.sub (local.get $w) (i32.const 1))))
          (br $fb_l)))
        (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $W) (i32.const 2))))
        ${inc("$i")}`,
        )
      }
      ;; per column: kept mass (row order), cut, marks
      (local.set $t (i32.const 0))${
        loop(
          "col",
          "(i32.ge_u (local.get $t) (i32.const 32))",
          `
        (local.set $cnt ${I("$wk", "$t")})
        (if (local.get $cnt) (then
          (local.set $j (i32.add (i32.shl (local.get $wj) (i32.const 5)) (local.get $t)))
          (local.set $s (i32.load offset=128 (i32.add (local.get $wk) (i32.shl (local.get $t) (i32.const 2)))))
          (local.set $e (i32.add (local.get $s) (local.get $cnt)))
          (local.set $kept (f64.const 0)) (local.set $q (local.get $s))
          (block $k_d (loop $k_l
            (br_if $k_d (i32.ge_u (local.get $q) (local.get $e)))
            (local.set $kept (f64.add (local.get $kept) ${LD("$cv", "$q")}))
            ${inc("$q")}
            (br $k_l)))
          (local.set $cs ${LD("$csp", "$j")})
          (local.set $dropped (f64.max (f64.const 0) (f64.sub (local.get $cs) (local.get $kept))))
          (local.set $cut (call $drop_cut (i32.add (local.get $cv) (i32.shl (local.get $s) (i32.const 3))) (local.get $cnt)
            (f64.sub (f64.mul (local.get $delta) (local.get $cs)) (local.get $dropped))))
          (local.set $q (local.get $s))
          (block $mk_d (loop $mk_l
            (br_if $mk_d (i32.ge_u (local.get $q) (local.get $e)))
            (local.set $i ${I("$ci", "$q")})
            (local.set $c (i32.add (i32.mul (local.get $i) (local.get $m)) (local.get $j)))
            (if (f64.ge (f64.load (i32.add (local.get $pp) (i32.shl (local.get $c) (i32.const 3)))) (local.get $cut))
              (then (i32.store8 (i32.add (local.get $markp) (local.get $c)) (i32.const 1))))
            ${inc("$q")}
            (br $mk_l)))))
        ${inc("$t")}`,
        )
      }
      ${inc("$wj")}`,
    )
  })
  ;; cnt[i] = number of marked entries of row i, rows [bR, min(n, bR + R))
  (func (export "csr_count_b") (param $markp i32) (param $n i32) (param $m i32) (param $cntp i32) (param $R i32) (param $b i32)
    (local $i i32) (local $i1 i32) (local $p i32) (local $e i32) (local $c i32)
    (local.set $i (i32.mul (local.get $b) (local.get $R)))
    (local.set $i1 (i32.add (local.get $i) (local.get $R)))
    (if (i32.gt_u (local.get $i1) (local.get $n)) (then (local.set $i1 (local.get $n))))${
    loop(
      "i",
      lt("$i", "$i1"),
      `
      (local.set $p (i32.add (local.get $markp) (i32.mul (local.get $i) (local.get $m))))
      (local.set $e (i32.add (local.get $p) (local.get $m)))
      (local.set $c (i32.const 0))
      (block $w_d (loop $w_l
        (br_if $w_d (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $e)))
        (local.set $c (i32.add (local.get $c) (i32.wrap_i64 (i64.popcnt (i64.load (local.get $p))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $w_l)))
      (block $t_d (loop $t_l
        (br_if $t_d (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $c (i32.add (local.get $c) (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $t_l)))
      ${setI("$cntp", "$i", "(local.get $c)")}
      ${inc("$i")}`,
    )
  })
  ;; rows [bR, min(n, bR + R)): colIdx/val from rowPtr[i] on, in column order; clears the marks
  (func (export "csr_fill_b") (param $pp i32) (param $markp i32) (param $n i32) (param $m i32) (param $rpp i32)
    (param $cip i32) (param $valp i32) (param $R i32) (param $b i32)
    (local $i i32) (local $i1 i32) (local $j i32) (local $j8 i32) (local $k i32) (local $row i32) (local $mrow i32) (local $t i32)
    (local.set $i (i32.mul (local.get $b) (local.get $R)))
    (local.set $i1 (i32.add (local.get $i) (local.get $R)))
    (if (i32.gt_u (local.get $i1) (local.get $n)) (then (local.set $i1 (local.get $n))))${
    loop(
      "i",
      lt("$i", "$i1"),
      `
      (local.set $k ${I("$rpp", "$i")})
      (local.set $mrow (i32.add (local.get $markp) (i32.mul (local.get $i) (local.get $m))))
      (local.set $row (i32.add (local.get $pp) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 3))))
      (local.set $j (i32.const 0))
      (local.set $j8 (i32.sub (local.get $m) (i32.const 8)))
      (block $w_d (loop $w_l
        (br_if $w_d (i32.gt_s (local.get $j) (local.get $j8)))
        (if (i64.eqz (i64.load (i32.add (local.get $mrow) (local.get $j)))) (then
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $w_l)))
        (local.set $t (i32.add (local.get $j) (i32.const 8)))
        (block $b_d (loop $b_l
          (br_if $b_d (i32.ge_u (local.get $j) (local.get $t)))
          (if (i32.load8_u (i32.add (local.get $mrow) (local.get $j))) (then
            (i32.store8 (i32.add (local.get $mrow) (local.get $j)) (i32.const 0))
            ${setI("$cip", "$k", "(local.get $j)")}
            ${put("$valp", "$k", LD("$row", "$j"))}
            ${inc("$k")}))
          ${inc("$j")}
          (br $b_l)))
        (br $w_l)))
      (block $t_d (loop $t_l
        (br_if $t_d (i32.ge_u (local.get $j) (local.get $m)))
        (if (i32.load8_u (i32.add (local.get $mrow) (local.get $j))) (then
          (i32.store8 (i32.add (local.get $mrow) (local.get $j)) (i32.const 0))
          ${setI("$cip", "$k", "(local.get $j)")}
          ${put("$valp", "$k", LD("$row", "$j"))}
          ${inc("$k")}))
        ${inc("$j")}
        (br $t_l)))
      ${inc("$i")}`,
    )
  })`;
}

/** dst[j] = part_0[j] ⊕ part_1[j] ⊕ … in block order (⊕ = + or max; dst may be part_0). */
function reduce(op: "add" | "max"): string {
  const vop = op === "add" ? "f64x2.add" : "f64x2.pmax", sop = op === "add" ? "f64.add" : "f64.max";
  return `
  ;; dst[j] = part_0[j] ${op === "add" ? "+" : "max"} part_1[j] ${
    op === "add" ? "+" : "max"
  } … (block order; dst may be part_0)
  (func $reduce_${op} (export "${
    op === "add" ? "reduce_cols" : "max_cols"
  }") (param $part i32) (param $ps i32) (param $nb i32) (param $m i32) (param $dst i32)
    (local $b i32) (local $j i32) (local $m2 i32) (local $src i32)
    (local.set $m2 (i32.and (local.get $m) (i32.const -2)))
    (if (i32.ne (local.get $dst) (local.get $part)) (then${
    loop("c", lt("$j", "$m"), `\n      ${put("$dst", "$j", get("$part", "$j"))} ${inc("$j")}`)
  }))
    (local.set $b (i32.const 1))${
    loop(
      "b",
      lt("$b", "$nb"),
      `
      (local.set $src (i32.add (local.get $part) (i32.shl (i32.mul (local.get $b) (local.get $ps)) (i32.const 3))))
      (local.set $j (i32.const 0))${
        loop(
          "j",
          lt("$j", "$m2"),
          `
        (v128.store ${at("$dst", "$j")} (${vop} (v128.load ${at("$dst", "$j")}) (v128.load ${at("$src", "$j")})))
        ${inc("$j", 2)}`,
        )
      }
      (if (i32.lt_u (local.get $j) (local.get $m)) (then ${
        put("$dst", "$j", `(${sop} ${get("$dst", "$j")} ${get("$src", "$j")})`)
      }))
      ${inc("$b")}`,
    )
  })`;
}

/** The memory import of the committed WAT (shared: the worker pool's threads run on it). */
export const SHARED_MEMORY_IMPORT = '(import "host" "memory" (memory 1 65536 shared))';
/** Its replacement in the second binary, for runtimes without SharedArrayBuffer. */
export const PLAIN_MEMORY_IMPORT = '(import "host" "memory" (memory 1))';

/** The whole module. Scalar exp/log for the rare exact fallbacks come from the host (Math.exp/Math.log). */
export function buildWat(): string {
  uid = 0;
  return `;; GENERATED by scripts/build_ot_wasm.ts — do not edit by hand.
;; WebAssembly SIMD (f64x2) kernels of lib/ot: the fast path of the reference loops in lib/ot/_lse.ts.
(module
  (import "host" "exp" (func $exp (param f64) (result f64)))
  (import "host" "log" (func $log (param f64) (result f64)))
  ${SHARED_MEMORY_IMPORT}${expAffine()}${scalingSweep()}${rowExp()}${logSweep()}${planPass()}${cross()}${scalePlan()}${stats()}${affine()}${expRows()}${scalePlanCost()}${costEnt()}${blocked()}
)
`;
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { check: { type: "boolean" } } });
  const root = new URL("..", import.meta.url).pathname;
  const wat = buildWat();
  const watPath = join(root, "kernels/ot/ot_simd.wat");
  if (values.check) {
    const same = readFileSync(watPath, "utf8") === wat;
    console.log(same ? "kernels/ot/ot_simd.wat is up to date" : "kernels/ot/ot_simd.wat is STALE");
    if (!same) Deno.exit(1);
    Deno.exit(0);
  }
  writeFileSync(watPath, wat);
  const dir = mkdtempSync(join(tmpdir(), "otwasm-"));
  // The committed WAT imports a shared memory (for the worker pool); the second binary, for runtimes
  // without SharedArrayBuffer, is the same text with a plain memory import.
  const assemble = (text: string, name: string, flags: string[]): Uint8Array => {
    const src = join(dir, `${name}.wat`), out = join(dir, `${name}.wasm`);
    writeFileSync(src, text);
    execFileSync("wat2wasm", [...flags, src, "-o", out], { stdio: "inherit" });
    return readFileSync(out);
  };
  const shared = assemble(wat, "ot_simd", ["--enable-threads"]);
  const plain = assemble(wat.replace(SHARED_MEMORY_IMPORT, PLAIN_MEMORY_IMPORT), "ot_simd_plain", []);
  const hash = await sha256Hex(wat);
  const b64 = (bytes: Uint8Array) =>
    (Buffer.from(bytes).toString("base64").match(/.{1,100}/g) ?? []).map((l) => `  "${l}",`);
  const ts = `// GENERATED by scripts/build_ot_wasm.ts from kernels/ot/ot_simd.wat — do not edit by hand.
/** SHA-256 of the WAT source these bytes were assembled from (checked by tests/ot/simd_test.ts). */
export const OT_SIMD_WAT_SHA256 = "${hash}";
/** The assembled module, importing a shared memory (${shared.length} bytes), base64. */
export const OT_SIMD_WASM_BASE64: string = [
${b64(shared).join("\n")}
].join("");
/** The same module importing a non-shared memory, for runtimes without SharedArrayBuffer (${plain.length} bytes), base64. */
export const OT_SIMD_WASM_PLAIN_BASE64: string = [
${b64(plain).join("\n")}
].join("");
`;
  writeFileSync(join(root, "lib/ot/_simd_wasm.ts"), ts);
  console.log(`wrote kernels/ot/ot_simd.wat and lib/ot/_simd_wasm.ts (${shared.length} + ${plain.length} bytes)`);
}
