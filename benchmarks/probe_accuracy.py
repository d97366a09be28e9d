"""Accuracy of the physics probes on vk.synth scenes: confusion table violations x probes.

For every violation (and for clean scenes) N scenes are rendered with distinct seeds, cycling
through the scene kinds, the three backgrounds and three camera-noise levels (0, 0.02, 0.04);
``wrong_gravity`` only uses the kinds with gravity. Each cell of the table is the percentage of
scenes where that probe failed. The "intended" column is the recall of the probe meant for the
violation; the clean row gives false alarms (per probe, and "any": a scene where any probe
failed). ``reverse`` is also broken down by kind, since only some kinds are detectable backwards.

Run:  python benchmarks/probe_accuracy.py            (120 scenes per row, ~10 min on 1 core)
      python benchmarks/probe_accuracy.py --n 30     (quick look)
"""

from __future__ import annotations

import argparse
import collections
import time
import warnings

import vidkit as vk
from vidkit.probes.physics import (
    analyze_motion,
    bounce,
    conservation,
    continuity,
    gravity,
    permanence,
    smoothness,
)
from vidkit.probes.temporal import flicker
from vidkit.probes.tracking import track

PROBES = ("gravity", "bounce", "permanence", "conservation", "continuity", "smoothness", "flicker")
INTENDED = vk.probes.VIOLATION_PROBES
BACKGROUNDS = ("plain", "noise", "texture")
NOISE = (0.0, 0.02, 0.04)
GRAVITY_KINDS = ("free_fall", "projectile", "bounce", "pendulum")


def scenes(violation: str | None, n: int, seed0: int = 0) -> list[tuple[str, int, str, float]]:
    """``(kind, seed, background, camera_noise)`` for n scenes of one row of the table."""
    kinds = [k for k in vk.synth.KINDS if violation != "wrong_gravity" or k in GRAVITY_KINDS]
    out = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        bg = BACKGROUNDS[(i // len(kinds)) % 3]
        noise = NOISE[(i // (3 * len(kinds))) % 3]
        out.append((kind, seed0 + i, bg, noise))
    return out


def run_probes(video: vk.Video, expected_g: float | None = None) -> dict[str, bool | None]:
    """pass/fail of every probe on one video (tracking done once)."""
    tr = track(video)
    m = analyze_motion(tr)
    res = {
        "gravity": gravity(tr, motion=m, expected_g=expected_g),
        "bounce": bounce(tr, motion=m),
        "permanence": permanence(tr, motion=m),
        "conservation": conservation(tr, motion=m),
        "continuity": continuity(tr, motion=m),
        "smoothness": smoothness(tr, motion=m),
        "flicker": flicker(video),
    }
    return {k: r.passed for k, r in res.items()}


def evaluate(
    violation: str | None, n: int, *, expected_g: bool = False, seed0: int = 0
) -> dict[str, object]:
    """Counts of failing probes over n scenes of one violation (None = clean)."""
    fired: collections.Counter = collections.Counter()
    any_fired = 0
    per_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    misses = []
    for kind, seed, bg, noise in scenes(violation, n, seed0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scene = vk.synth.render(
                kind, seed=seed, violation=violation, background=bg, camera_noise=noise
            )
        eg = None
        if expected_g and kind in GRAVITY_KINDS:
            eg = float(scene.truth.constants["g"])
        out = run_probes(scene.video, eg)
        failed = [k for k, v in out.items() if v is False]
        fired.update(failed)
        any_fired += bool(failed)
        target = INTENDED.get(violation) if violation else None
        hit = (target in failed) if target else bool(failed)
        per_kind[kind][0] += hit
        per_kind[kind][1] += 1
        if (violation and not hit) or (violation is None and hit):
            misses.append((kind, seed, bg, noise, failed))
    return {"n": n, "fired": fired, "any": any_fired, "per_kind": dict(per_kind), "misses": misses}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=120, help="scenes per row (default 120)")
    ap.add_argument("--violations", nargs="*", default=None, help="rows to run (default: all)")
    ap.add_argument(
        "--expected-g",
        action="store_true",
        help="give the gravity probe the scene's nominal g (default: consistency only)",
    )
    ap.add_argument("--show-misses", action="store_true", help="list the missed scenes")
    args = ap.parse_args()
    rows = [None, *vk.synth.VIOLATIONS] if args.violations is None else args.violations
    rows = [None if r in ("None", "clean") else r for r in rows]
    t0 = time.process_time()
    results = {}
    for v in rows:
        results[v] = evaluate(v, args.n, expected_g=args.expected_g)
    cpu = time.process_time() - t0
    head = f"{'row':<14}{'n':>5}" + "".join(f"{p[:11]:>12}" for p in PROBES)
    head += f"{'any':>7}{'intended':>10}"
    print(f"Confusion table: % of scenes where each probe failed ({args.n} scenes per row)")
    print(head)
    for v, r in results.items():
        name = "clean" if v is None else v
        cells = "".join(f"{100 * r['fired'][p] / r['n']:>11.1f}%" for p in PROBES)
        target = INTENDED.get(v) if v else None
        recall = f"{100 * r['fired'][target] / r['n']:>9.1f}%" if target else f"{'-':>10}"
        print(f"{name:<14}{r['n']:>5}{cells}{100 * r['any'] / r['n']:>6.1f}%{recall}")
    print()
    for v in ("reverse", "energy_gain", "wrong_gravity"):
        if v in results:
            pk = results[v]["per_kind"]
            text = ", ".join(f"{k} {a}/{b}" for k, (a, b) in pk.items())
            print(f"{v} caught by {INTENDED[v]} per kind: {text}")
    if None in results:
        r = results[None]
        print(
            f"clean scenes with any false alarm: {r['any']}/{r['n']} "
            f"({100 * r['any'] / r['n']:.1f}%)"
        )
    print(f"CPU time {cpu:.0f} s for {sum(r['n'] for r in results.values())} scenes")
    if args.show_misses:
        for v, r in results.items():
            for miss in r["misses"]:
                print("miss" if v else "false alarm", v, miss)


if __name__ == "__main__":
    main()
