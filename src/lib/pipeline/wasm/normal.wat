;; N(0, 1) samples for `gaussian-noise`: the loop of ../gauss.ts's `fillNormal` (xoroshiro128+
;; and the ziggurat's rectangle and wedge tests), bit for bit, in WebAssembly. Here a
;; xoroshiro128+ step is a few native 64-bit operations; in JS it takes ~16 on 32-bit halves.
;; Built by scripts/build-wasm.mjs into normal-wasm.ts (checked by test/unit/normal-wasm.test.ts).
;;
;; Memory (one page, filled by ../normal-wasm.ts):
;;   0: s0 (i64: high word s01, low word s00), 8: s1 (s11:s10), the generator's state
;;  16: the draw `a` that stopped `fill` at a tail sample (i32)
;;  64: X[0..128] (f64), 1104: F[0..128] (f64), 2144: CHORD[0..127] (f64),
;;  3168: CURVE[0..127] (i32: 1 convex, -1 concave, 0 neither)
;;  4096: the output, up to 4096 f64
;; Every f64 operation is the one gauss.ts does, in the same order (IEEE, correctly rounded,
;; as in JS); the density e^(-z²/2) where the bounds cannot decide is gauss.ts's own, imported.
(module
  (import "gauss" "density" (func $density (param f64) (result f64)))
  (memory (export "memory") 1)

  ;; Fills out[k .. end) and returns end, or returns the k of a sample whose draw fell in the
  ;; tail (layer 0 beyond R: ~0.06% of draws), with the state after that draw stored and the
  ;; draw at 16, for JS to finish that sample (gauss.ts's `rejected`) and call again from k + 1.
  (func (export "fill") (param $k i32) (param $end i32) (result i32)
    (local $s0 i64) (local $s1 i64) (local $t i64)
    (local $a i32) (local $b i32) (local $i i32) (local $curve i32)
    (local $z f64) (local $fy f64) (local $lo f64) (local $hi f64)
    (local $fa f64) (local $fb f64) (local $chord f64) (local $tanA f64) (local $tanB f64)
    (local $sign f64)
    (local.set $s0 (i64.load (i32.const 0)))
    (local.set $s1 (i64.load (i32.const 8)))
    (block $done
      (loop $sample
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (loop $draw
          ;; a = low 32 bits of s0 + s1; s1 ^= s0; s0 = rotl(s0, 24) ^ s1 ^ (s1 << 16); s1 = rotl(s1, 37)
          (local.set $a (i32.wrap_i64 (i64.add (local.get $s0) (local.get $s1))))
          (local.set $t (i64.xor (local.get $s1) (local.get $s0)))
          (local.set $s0
            (i64.xor
              (i64.xor (i64.rotl (local.get $s0) (i64.const 24)) (local.get $t))
              (i64.shl (local.get $t) (i64.const 16))))
          (local.set $s1 (i64.rotl (local.get $t) (i64.const 37)))
          ;; i = a >>> 25; z = ((a & 0xffffff) · 2^-24) · X[i]; sign = 1 - ((a >>> 23) & 2)
          (local.set $i (i32.shr_u (local.get $a) (i32.const 25)))
          (local.set $z
            (f64.mul
              (f64.mul
                (f64.convert_i32_s (i32.and (local.get $a) (i32.const 0xffffff)))
                (f64.const 0x1p-24))
              (f64.load offset=64 (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $sign
            (f64.convert_i32_s
              (i32.sub (i32.const 1)
                (i32.and (i32.shr_u (local.get $a) (i32.const 23)) (i32.const 2)))))
          ;; The rectangle: z < X[i + 1] (~97% of draws).
          (if (f64.lt (local.get $z) (f64.load offset=72 (i32.shl (local.get $i) (i32.const 3))))
            (then
              (f64.store offset=4096 (i32.shl (local.get $k) (i32.const 3))
                (f64.mul (local.get $sign) (local.get $z)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $sample)))
          ;; The tail: back to JS.
          (if (i32.eqz (local.get $i))
            (then
              (i64.store (i32.const 0) (local.get $s0))
              (i64.store (i32.const 8) (local.get $s1))
              (i32.store (i32.const 16) (local.get $a))
              (return (local.get $k))))
          ;; The wedge: fy = F[i] + (low24(next) · 2^-24) · (F[i + 1] - F[i])
          (local.set $b (i32.wrap_i64 (i64.add (local.get $s0) (local.get $s1))))
          (local.set $t (i64.xor (local.get $s1) (local.get $s0)))
          (local.set $s0
            (i64.xor
              (i64.xor (i64.rotl (local.get $s0) (i64.const 24)) (local.get $t))
              (i64.shl (local.get $t) (i64.const 16))))
          (local.set $s1 (i64.rotl (local.get $t) (i64.const 37)))
          (local.set $fb (f64.load offset=1104 (i32.shl (local.get $i) (i32.const 3))))
          (local.set $fa (f64.load offset=1112 (i32.shl (local.get $i) (i32.const 3))))
          (local.set $fy
            (f64.add (local.get $fb)
              (f64.mul
                (f64.mul
                  (f64.convert_i32_s (i32.and (local.get $b) (i32.const 0xffffff)))
                  (f64.const 0x1p-24))
                (f64.sub (local.get $fa) (local.get $fb)))))
          ;; underDensity(i, z, fy): lo = X[i + 1], hi = X[i]
          (local.set $lo (f64.load offset=72 (i32.shl (local.get $i) (i32.const 3))))
          (local.set $hi (f64.load offset=64 (i32.shl (local.get $i) (i32.const 3))))
          (local.set $curve (i32.load offset=3168 (i32.shl (local.get $i) (i32.const 2))))
          (if (i32.and
                (i32.ne (local.get $curve) (i32.const 0))
                (i32.and
                  (f64.ge (local.get $z) (local.get $lo))
                  (f64.le (local.get $z) (local.get $hi))))
            (then
              ;; chord = fa + CHORD[i]·(z − lo); tanA = fa − (lo·fa)·(z − lo); tanB = fb − (hi·fb)·(z − hi)
              (local.set $chord
                (f64.add (local.get $fa)
                  (f64.mul
                    (f64.load offset=2144 (i32.shl (local.get $i) (i32.const 3)))
                    (f64.sub (local.get $z) (local.get $lo)))))
              (local.set $tanA
                (f64.sub (local.get $fa)
                  (f64.mul (f64.mul (local.get $lo) (local.get $fa))
                    (f64.sub (local.get $z) (local.get $lo)))))
              (local.set $tanB
                (f64.sub (local.get $fb)
                  (f64.mul (f64.mul (local.get $hi) (local.get $fb))
                    (f64.sub (local.get $z) (local.get $hi)))))
              ;; Accept below lower − SURE, reject above upper + SURE (SURE = 1e-12).
              (if (f64.lt (local.get $fy)
                    (f64.sub
                      (select (f64.max (local.get $tanA) (local.get $tanB)) (local.get $chord)
                        (i32.gt_s (local.get $curve) (i32.const 0)))
                      (f64.const 1e-12)))
                (then
                  (f64.store offset=4096 (i32.shl (local.get $k) (i32.const 3))
                    (f64.mul (local.get $sign) (local.get $z)))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $sample)))
              (br_if $draw
                (f64.gt (local.get $fy)
                  (f64.add
                    (select (local.get $chord) (f64.min (local.get $tanA) (local.get $tanB))
                      (i32.gt_s (local.get $curve) (i32.const 0)))
                    (f64.const 1e-12))))))
          ;; Undecided: fy < e^(-z²/2), computed by gauss.ts.
          (if (f64.lt (local.get $fy) (call $density (local.get $z)))
            (then
              (f64.store offset=4096 (i32.shl (local.get $k) (i32.const 3))
                (f64.mul (local.get $sign) (local.get $z)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $sample)))
          ;; Rejected: a whole new sample.
          (br $draw))))
    (i64.store (i32.const 0) (local.get $s0))
    (i64.store (i32.const 8) (local.get $s1))
    (local.get $end))
)
