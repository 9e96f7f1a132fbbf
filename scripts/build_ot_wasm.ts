/**
 * Generates the WebAssembly SIMD kernels of lib/ot (the CPU fast path of the f64 hot loops whose
 * reference twins are the TypeScript loops in lib/ot/_lse.ts):
 *
 *   kernels/ot/ot_simd.wat   — readable WAT source (generated here, committed)
 *   lib/ot/_simd_wasm.ts      — the assembled bytes, base64, plus the SHA-256 of the WAT
 *
 * Run after editing this file (needs `wat2wasm` from Debian's `wabt` package; CI does not):
 *
 *   npx deno run -A scripts/build_ot_wasm.ts
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
  const names = ["z", "kd", "r", "r2", "r4", "r8", "k1", "k2", "q"];
  return [names.map((n) => `(local ${p}${n} v128)`).join(" "), p];
}

/** Statements computing e^x for the v128 local `x` (clobbered) into local `out`. */
function expInline(x: string, out: string, p: string): string {
  const L = (n: string) => `(local.get ${p}${n})`;
  const q = (a: number, b: number) => `(f64x2.add ${F(C[a])} (f64x2.mul ${F(C[b])} ${L("r")}))`;
  const scale = (k: string) => {
    const e = `(i32x4.shl (i32x4.add ${L(k)} (i32x4.splat (i32.const 1023))) (i32.const 20))`;
    return `(v128.and (i8x16.shuffle 0 0 0 0 0 1 2 3 0 0 0 0 8 9 10 11 ${e} ${e}) (v128.const i32x4 0 0xffffffff 0 0xffffffff))`;
  };
  return `
      (local.set ${x} (f64x2.pmin (f64x2.pmax (local.get ${x}) ${F(-745.2)}) ${F(709.8)}))
      (local.set ${p}z (f64x2.add (f64x2.mul (local.get ${x}) ${F(LOG2E)}) ${F(SHIFT)}))
      (local.set ${p}kd (f64x2.sub ${L("z")} ${F(SHIFT)}))
      (local.set ${p}r (f64x2.sub (f64x2.sub (local.get ${x}) (f64x2.mul ${L("kd")} ${F(LN2HI)})) (f64x2.mul ${
    L("kd")
  } ${F(LN2LO)})))
      (local.set ${p}r2 (f64x2.mul ${L("r")} ${L("r")}))
      (local.set ${p}r4 (f64x2.mul ${L("r2")} ${L("r2")}))
      (local.set ${p}r8 (f64x2.mul ${L("r4")} ${L("r4")}))
      (local.set ${p}q (f64x2.add
        (f64x2.add ${q(2, 3)} (f64x2.mul ${q(4, 5)} ${L("r2")}))
        (f64x2.mul ${L("r4")} (f64x2.add
          (f64x2.add ${q(6, 7)} (f64x2.mul ${q(8, 9)} ${L("r2")}))
          (f64x2.mul ${L("r4")} (f64x2.add ${q(10, 11)} (f64x2.mul ${q(12, 13)} ${L("r2")})))))))
      (local.set ${p}q (f64x2.add ${F(1)} (f64x2.add ${L("r")} (f64x2.mul ${L("r2")} ${L("q")}))))
      (local.set ${p}k1 (i32x4.shr_s ${L("z")} (i32.const 1)))
      (local.set ${p}k2 (i32x4.sub ${L("z")} ${L("k1")}))
      (local.set ${out} (f64x2.mul (f64x2.mul ${L("q")} ${scale("k1")}) ${scale("k2")}))`;
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
  (func (export "exp_affine") (param $src i32) (param $dst i32) (param $len i32) (param $alpha f64) (param $beta f64)
    (local $k i32) (local $len2 i32) (local $x v128) (local $y v128) (local $av v128) (local $bv v128) ${dl}
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
  ;; One fused scaling-form Sinkhorn iteration (twin of scalingSweep in lib/ot/_lse.ts).
  (func (export "scaling_sweep") (param $kp i32) (param $n i32) (param $m i32) (param $ap i32) (param $bp i32)
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
    (local.set $j (i32.const 0))${
    loop(
      "v",
      lt("$j", "$m"),
      `\n      ${put("$vp", "$j", `(f64.div ${get("$bp", "$j")} ${get("$cp", "$j")})`)} ${inc("$j")}`,
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
    (local $s0 v128) (local $s1 v128) (local $s f64) ${dl} ${dl2}
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
  ;; One fused log-domain Sinkhorn iteration (twin of logSweep in lib/ot/_lse.ts).
  (func (export "log_sweep") (param $csp i32) (param $n i32) (param $m i32) (param $ap i32) (param $lap i32) (param $lbp i32)
    (param $up i32) (param $vp i32) (param $unp i32) (param $vnp i32) (param $cap i32) (param $tp i32) (param $exact i32) (result f64)
    (local $i i32) (local $j i32) (local $row i32) (local $m4 i32) (local $ui f64) (local $M f64) (local $s f64) (local $rs f64)
    (local $err f64) (local $w f64) (local $wv v128) (local $q i32) (local $cs f64)
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
  (func (export "plan_pass") (param $csp i32) (param $n i32) (param $m i32) (param $up i32) (param $vp i32) (param $pp i32)
    (param $rsp i32) (param $csum i32) (result f64)
    (local $i i32) (local $j i32) (local $m4 i32) (local $row i32) (local $prow i32) (local $uv v128) (local $x v128) (local $y v128)
    (local $x2 v128) (local $y2 v128) (local $s0 v128) (local $s1 v128) (local $s f64) (local $total f64) (local $q i32) ${dl} ${dl2}
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
  (func (export "cross") (param $pp i32) (param $n i32) (param $m i32) (param $emp i32) (param $enp i32) (result f64)
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
  (func (export "scale_plan") (param $pp i32) (param $n i32) (param $m i32) (param $eup i32) (param $evp i32)
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

/** The whole module. Scalar exp/log for the rare exact fallbacks come from the host (Math.exp/Math.log). */
export function buildWat(): string {
  uid = 0;
  return `;; GENERATED by scripts/build_ot_wasm.ts — do not edit by hand.
;; WebAssembly SIMD (f64x2) kernels of lib/ot: the fast path of the reference loops in lib/ot/_lse.ts.
(module
  (import "host" "exp" (func $exp (param f64) (result f64)))
  (import "host" "log" (func $log (param f64) (result f64)))
  (import "host" "memory" (memory 1))${expAffine()}${scalingSweep()}${rowExp()}${logSweep()}${planPass()}${cross()}${scalePlan()}
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
  const out = join(dir, "ot_simd.wasm");
  execFileSync("wat2wasm", [watPath, "-o", out], { stdio: "inherit" });
  const bytes = readFileSync(out);
  const b64 = bytes.toString("base64");
  const hash = await sha256Hex(wat);
  const lines = b64.match(/.{1,100}/g) ?? [];
  const ts = `// GENERATED by scripts/build_ot_wasm.ts from kernels/ot/ot_simd.wat — do not edit by hand.
/** SHA-256 of the WAT source these bytes were assembled from (checked by tests/ot/simd_test.ts). */
export const OT_SIMD_WAT_SHA256 = "${hash}";
/** The assembled module (${bytes.length} bytes), base64. */
export const OT_SIMD_WASM_BASE64: string = [
${lines.map((l) => `  "${l}",`).join("\n")}
].join("");
`;
  writeFileSync(join(root, "lib/ot/_simd_wasm.ts"), ts);
  console.log(`wrote kernels/ot/ot_simd.wat and lib/ot/_simd_wasm.ts (${bytes.length} bytes)`);
}
