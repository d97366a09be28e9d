"""Physics-consistency and temporal probes: say *what* is wrong with the motion in a video.

Weight-free: objects are tracked with a background model and connected components
(:func:`track`), their trajectories cut into free-flight segments, and each probe returns a
:class:`ProbeResult` with scores, a pass/fail at a documented threshold, the failing frames and
plain sentences ("object 0 jumped 14 px between frames 11 and 12, 6x its usual step").

=====================  ====================================================================
probe                  catches
=====================  ====================================================================
:func:`gravity`        wrong or changing gravity, gravity pointing up, sideways drift
:func:`bounce`         energy gained at bounces, collisions or in mid-air (restitution > 1)
:func:`permanence`     objects vanishing or appearing away from the frame border
:func:`conservation`   objects changing size or colour
:func:`continuity`     teleports, frozen (stuttering) frames
:func:`smoothness`     jerky motion (log dimensionless jerk, LDLJ)
:func:`flicker`        brightness flicker (and VBench's temporal_flickering score)
:func:`warping_error`  frame pairs that do not warp into each other (Lai et al. 2018)
:func:`dynamic_degree_classical`  VBench's dynamic degree on classical optical flow
:func:`physiq`         Physics-IQ metrics and score of a continuation against a real one
=====================  ====================================================================

:func:`physics` runs every probe that applies and returns a :class:`PhysicsReport` (table,
verdict, plot, notebook view); :func:`physics_batch` does it for many videos.

Example:
    >>> import vidkit as vk
    >>> scene = vk.synth.render("projectile", seed=0, violation="teleport")  # doctest: +SKIP
    >>> vk.probes.physics(scene.video).summary  # doctest: +SKIP
    'FAIL: object 0 jumped 17 px between frames 14 and 15, 4x its usual step'
"""

from vidkit.probes.camera import CameraMotion, estimate_camera
from vidkit.probes.cuts import find_cuts
from vidkit.probes.dynamics import bounce, gravity
from vidkit.probes.kinematics import (
    continuity,
    dimensionless_jerk,
    log_dimensionless_jerk,
    smoothness,
)
from vidkit.probes.model_trackers import (
    CoTrackerTracker,
    Sam2VideoTracker,
    prompts_from_tracks,
    tracks_from_masks,
)
from vidkit.probes.persistence import conservation, permanence
from vidkit.probes.physics_iq import (
    motion_masks,
    motion_masks_reference,
    physiq,
    physiq_metrics,
    physiq_score,
)
from vidkit.probes.report import PhysicsReport, physics, physics_batch
from vidkit.probes.result import CANNOT_JUDGE, Assumption, Finding, ProbeResult
from vidkit.probes.temporal import (
    dynamic_degree_classical,
    flicker,
    occlusion_mask,
    optical_flow,
    vbench_temporal_flickering,
    warping_error,
)
from vidkit.probes.tracking import MIN_FRAMES, Tracks, track
from vidkit.probes.trajectory import Event, Motion, Segment, analyze_motion

#: The probe meant to catch each ``vk.synth`` violation (``reverse`` is catchable only where the
#: reversed motion is unphysical: inelastic bounces; see docs/probes.md).
VIOLATION_PROBES: dict[str, str] = {
    "teleport": "continuity",
    "vanish": "permanence",
    "appear": "permanence",
    "resize": "conservation",
    "recolor": "conservation",
    "wrong_gravity": "gravity",
    "energy_gain": "bounce",
    "reverse": "bounce",
    "flicker": "flicker",
    "stutter": "continuity",
}

__all__ = [
    "Assumption",
    "CoTrackerTracker",
    "Sam2VideoTracker",
    "prompts_from_tracks",
    "tracks_from_masks",
    "CANNOT_JUDGE",
    "CameraMotion",
    "estimate_camera",
    "find_cuts",
    "Event",
    "Finding",
    "MIN_FRAMES",
    "Motion",
    "PhysicsReport",
    "VIOLATION_PROBES",
    "ProbeResult",
    "Segment",
    "Tracks",
    "analyze_motion",
    "bounce",
    "conservation",
    "continuity",
    "dimensionless_jerk",
    "dynamic_degree_classical",
    "flicker",
    "gravity",
    "log_dimensionless_jerk",
    "motion_masks",
    "motion_masks_reference",
    "occlusion_mask",
    "optical_flow",
    "permanence",
    "physics",
    "physics_batch",
    "physiq",
    "physiq_metrics",
    "physiq_score",
    "smoothness",
    "track",
    "vbench_temporal_flickering",
    "warping_error",
]
