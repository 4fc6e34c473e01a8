"""Key poses of every built-in exercise, as data: view, start and end joint angles, props.

Angles are the clinical ones of `kinematics` (degrees; a missing key is 0, the neutral
standing pose). ``start`` is where a repetition begins, ``end`` where it turns (or is held:
the exercise's hold time is spent there). Props are drawn where the equipment, or its
household substitute, matters: a chair, a counter, a wall, a step, a towel, a band.

Conventions worth knowing when adding one: side views face +x (to the right); lying on the
back is ``trunk=-90`` (head to the left), face down ``trunk=90``; front views show the
subject's left on the right of the picture; in a front view of someone lying on their side
``trunk=-90`` puts the head on the left and the left side on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# `_` is gettext_noop here: the alt texts are marked for the catalogue (makemessages knows
# `_`) and translated when drawn (render.label), in the reader's language.
from django.utils.translation import gettext_noop as _

from telept.exercises.illustrations.kinematics import ANGLE_KEYS, View

Angles = dict[str, float]
STEP_H = 0.17  # a stair
CUSHION_H = 0.06


def _expand(base: Angles, over: dict[str, float]) -> Angles:
    """`shoulder=30` sets both sides; `l_knee=90` / `r_knee=90` one side."""
    out: Angles = {}
    for key, value in [*base.items(), *over.items()]:
        if key in ANGLE_KEYS:
            out[key] = value
        elif key.startswith("l_"):
            out["left_" + key[2:]] = value
        elif key.startswith("r_"):
            out["right_" + key[2:]] = value
        elif key in ("trunk", "neck", "nod", "yaw"):
            out[key] = value
        else:
            out["left_" + key] = value
            out["right_" + key] = value
    for key in out:
        if key not in ANGLE_KEYS:
            raise KeyError(f"unknown angle {key!r}")
    return out


def stand(**over: float) -> Angles:
    return _expand({"left_elbow": 10, "right_elbow": 10}, over)


def sit(**over: float) -> Angles:
    return _expand({"left_hip": 90, "right_hip": 90, "left_knee": 90, "right_knee": 90,
                    "left_shoulder": 15, "right_shoulder": 15, "left_elbow": 55,
                    "right_elbow": 55}, over)


def sit_front(**over: float) -> Angles:
    """Seen from the front, cropped to the upper body (the thighs point at the camera)."""
    return _expand({"left_shoulder": 8, "right_shoulder": 8, "left_elbow": -20,
                    "right_elbow": -20}, over)


def supine(**over: float) -> Angles:
    return _expand({"trunk": -90, "left_ankle": 5, "right_ankle": 5, "left_shoulder": 5,
                    "right_shoulder": 5}, over)


def hook(**over: float) -> Angles:
    """On the back, knees bent, feet flat."""
    return _expand(supine(), {"hip": 45, "knee": 90, "ankle": -45, **over})


def prone(**over: float) -> Angles:
    return _expand({"trunk": 90, "left_ankle": -70, "right_ankle": -70, "left_shoulder": 30,
                    "right_shoulder": 30, "left_elbow": 150, "right_elbow": 150,
                    "left_wrist": -30, "right_wrist": -30}, over)


def fours(**over: float) -> Angles:
    """On hands and knees."""
    return _expand({"trunk": 90, "hip": 90, "knee": 90, "ankle": -90, "shoulder": 90,
                    "wrist": 90}, over)


def side_lying(**over: float) -> Angles:
    """Front view, lying on the right side, head on the left, the left side on top."""
    return _expand({"trunk": -90, "r_shoulder": 178, "r_elbow": 0, "l_shoulder": 25,
                    "l_elbow": 40}, over)


@dataclass(frozen=True, slots=True)
class Prop:
    """Something drawn with the figure.

    ``kind``: chair (a seat under ``at``), chair_back (its backrest top at ``at``), counter
    (a worktop at the height of ``at``), table (under ``at``), wall (a wall just in front of
    or behind ``at``: ``side`` "front"/"back"), step (under ``at``), mat, cushion (under the
    feet), door (a door frame at ``at``), roll (a rolled towel at ``at``), pad (a folded
    towel under ``at``), towel / band (a strap from ``at`` to ``to``, a landmark or a fixed
    point ``anchor`` offset from ``at`` in the start pose), weight / ball / ring / sock (held
    at, or under, ``at`` and moving with it), stick (a broom handle across the hands),
    lever (a hammer along ``at`` -> ``to``).
    Positions come from the start pose unless the prop moves with the figure.
    """

    kind: str
    at: str = ""
    to: str = ""
    side: str = "front"
    anchor: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Illustration:
    view: View
    start: Angles
    end: Angles
    props: tuple[Prop, ...] = ()
    anchor: str = "left_ankle"  # the landmark that keeps its x between poses
    rest: dict[str, tuple[str, float]] = field(default_factory=dict)  # pose -> (landmark, y)
    crop: str = ""  # "upper": only the body from the hips up is framed
    alt: str = ""  # what the figure does, in words (completes "A figure ...")


def P(kind: str, at: str = "", to: str = "", **kw: Any) -> Prop:
    return Prop(kind=kind, at=at, to=to, **kw)


CHAIR = P("chair", "left_hip")
MAT = P("mat")
COUNTER = P("counter", "left_wrist")
CHAIR_BACK = P("chair_back", "left_wrist")


def seated(start: Angles, end: Angles, alt: str, *extra: Prop) -> Illustration:
    return Illustration("side", start, end, (CHAIR, *extra), anchor="left_hip", alt=alt)


def seated_front(start: Angles, end: Angles, alt: str, *extra: Prop) -> Illustration:
    return Illustration("front", start, end, (P("chair_back_front", "left_hip"), *extra),
                        anchor="left_hip", crop="upper", alt=alt)


def lying(start: Angles, end: Angles, alt: str, *extra: Prop, view: View = "side",
          anchor: str = "left_hip") -> Illustration:
    return Illustration(view, start, end, (MAT, *extra), anchor=anchor, alt=alt)


def standing(start: Angles, end: Angles, alt: str, *extra: Prop, view: View = "side",
             anchor: str = "left_ankle", **kw: Any) -> Illustration:
    return Illustration(view, start, end, tuple(extra), anchor=anchor, alt=alt, **kw)


HOLD_SEAT = {"r_shoulder": 10, "r_elbow": 0}
HAND_ON_HEAD = {"l_shoulder": 150, "l_elbow": 105}

ILLUSTRATIONS: dict[str, Illustration] = {
    # --- neck ---------------------------------------------------------------------------
    "chin-tuck": seated(sit(), sit(neck=-12, nod=12),
                        _("sitting tall glides the head straight back")),
    "neck-rotation": seated_front(sit_front(), sit_front(yaw=60),
                                  _("sitting tall turns the head to look over one shoulder")),
    "neck-side-bend": seated_front(sit_front(), sit_front(neck=35),
                                   _("sitting tall tips one ear towards the shoulder")),
    "upper-trapezius-stretch": seated_front(
        sit_front(**HOLD_SEAT), sit_front(neck=35, **HOLD_SEAT, **HAND_ON_HEAD),
        _("sitting and holding the seat tips the head away, a hand resting on it")),
    "levator-scapulae-stretch": seated_front(
        sit_front(**HOLD_SEAT), sit_front(neck=25, yaw=45, **HOLD_SEAT, **HAND_ON_HEAD),
        _("sitting and holding the seat turns the nose towards the armpit, a hand on the head")),
    "scapular-retraction": seated(sit(elbow=30, shoulder=5), sit(elbow=30, shoulder=-20),
                                  _("sitting tall draws the shoulder blades and elbows back")),
    "deep-neck-flexor-head-lift": lying(
        hook(), hook(neck=25), _("lying on the back with knees bent nods and lifts the head"),
        P("pad", "left_ear")),
    "neck-isometrics": seated(sit(), sit(l_shoulder=110, l_elbow=115),
                              _("sitting tall presses the forehead into the palm")),
    "towel-neck-extension": seated(
        sit(shoulder=55, elbow=100), sit(shoulder=55, elbow=100, neck=-40),
        _("sitting with a towel behind the neck looks up"), P("towel", "left_wrist", "left_ear")),
    # --- shoulder -----------------------------------------------------------------------
    "pendulum": standing(
        stand(trunk=60, hip=60, ankle=0, l_shoulder=40, l_elbow=0, r_shoulder=75, r_elbow=0),
        stand(trunk=60, hip=60, ankle=0, l_shoulder=80, l_elbow=0, r_shoulder=75, r_elbow=0),
        _("bent forwards, one hand on a counter, lets the other arm swing"),
        P("counter", "right_wrist")),
    "shoulder-flexion-active": standing(
        stand(), stand(l_shoulder=150, l_elbow=0), _("standing raises one arm forwards and up")),
    "shoulder-abduction-active": standing(
        stand(elbow=0), stand(l_shoulder=150, elbow=0),
        _("standing raises one arm out to the side"),
        view="front"),
    "wand-flexion": lying(
        hook(shoulder=10, elbow=0), hook(shoulder=150, elbow=0),
        _("lying on the back lifts a stick overhead with both hands"), P("stick", "left_wrist")),
    "wall-walk": standing(
        stand(shoulder=80, elbow=10, trunk=0), stand(shoulder=150, elbow=0, trunk=-5, hip=-5,
                                                     ankle=0),
        _("facing a wall walks the fingers up it"), P("wall", "left_fingertip")),
    "doorway-pec-stretch": standing(
        stand(elbow=0, shoulder=10), stand(shoulder=90, elbow=90),
        _("standing in a doorway rests the forearms on the frame"), P("door", "left_elbow"),
        view="front"),
    "cross-body-stretch": standing(
        stand(), stand(l_shoulder=-95, l_elbow=0, r_shoulder=30, r_elbow=-110),
        _("standing pulls one arm across the chest"), view="front"),
    "towel-internal-rotation-stretch": standing(
        stand(r_shoulder=165, r_elbow=150, l_shoulder=15, l_elbow=-60),
        stand(r_shoulder=170, r_elbow=120, l_shoulder=20, l_elbow=-125),
        _("standing with a towel behind the back draws the lower hand up"),
        P("towel", "right_wrist", "left_wrist"), view="front"),
    "external-rotation-band": standing(
        stand(l_shoulder=0, l_elbow=-80), stand(l_shoulder=0, l_elbow=75),
        _("standing, elbow tucked against a rolled towel, turns the forearm outwards"),
        P("roll", "left_elbow"), P("band", "left_wrist", anchor=(-0.45, 0.0)), view="front"),
    "band-row": standing(
        stand(shoulder=60, elbow=0), stand(shoulder=-10, elbow=90),
        _("standing pulls a band towards the body, elbows going back"),
        P("band", "left_wrist", anchor=(0.35, 0.0)), P("door", "left_wrist", side="far")),
    "scaption-raise": standing(
        stand(elbow=0), stand(shoulder=90, elbow=0),
        _("standing raises both arms to shoulder height holding water bottles"),
        P("weight", "left_wrist"), P("weight", "right_wrist"), view="front"),
    "wall-push-up": standing(
        stand(trunk=15, ankle=15, shoulder=75, elbow=0, wrist=-60),
        stand(trunk=25, ankle=25, shoulder=70, elbow=95, wrist=-70),
        _("leaning on a wall bends the elbows to bring the chest towards it"),
        P("wall", "left_index")),
    # --- elbow, wrist and hand ----------------------------------------------------------
    "elbow-flexion-curl": standing(
        stand(l_elbow=0), stand(l_elbow=130), _("standing bends the elbow to lift a water bottle"),
        P("weight", "left_wrist")),
    "wrist-flexor-stretch": standing(
        stand(l_shoulder=90, l_elbow=0, r_shoulder=70, r_elbow=40),
        stand(l_shoulder=90, l_elbow=0, l_wrist=70, r_shoulder=70, r_elbow=40),
        _("with the arm out straight, the other hand bends the wrist back")),
    "wrist-extensor-stretch": standing(
        stand(l_shoulder=90, l_elbow=0, r_shoulder=70, r_elbow=40),
        stand(l_shoulder=90, l_elbow=0, l_wrist=-70, r_shoulder=70, r_elbow=40),
        _("with the arm out straight, the other hand bends the wrist down")),
    "eccentric-wrist-extension": seated(
        sit(l_shoulder=20, l_elbow=70, l_wrist=50), sit(l_shoulder=20, l_elbow=70, l_wrist=-50),
        _("sitting with the forearm on a table slowly lowers a weight with the wrist"),
        P("table", "left_wrist"), P("weight", "left_index")),
    "forearm-rotation-hammer": seated_front(
        sit_front(l_shoulder=40, l_elbow=50, l_finger=45),
        sit_front(l_shoulder=40, l_elbow=50, l_finger=135),
        _("sitting with the elbow bent turns a hammer from one side to the other"),
        P("lever", "left_index", "left_fingertip")),
    "tendon-glides": seated(
        sit(l_shoulder=20, l_elbow=110), sit(l_shoulder=20, l_elbow=110, l_finger=100),
        _("sitting with the hand up closes the fingers into a fist")),
    "grip-squeeze": seated(
        sit(l_shoulder=20, l_elbow=110, l_finger=20), sit(l_shoulder=20, l_elbow=110,
                                                          l_finger=90),
        _("sitting squeezes a soft ball in the hand"), P("ball", "left_index")),
    "rolling-pin-forearm-roll": seated(
        sit(l_shoulder=20, l_elbow=70), sit(l_shoulder=40, l_elbow=50),
        _("sitting rolls the forearm over a rolling pin on the table"),
        P("table", "left_wrist"), P("pin", "left_wrist")),
    "rolling-pin-wrist-roll": standing(
        stand(shoulder=90, elbow=0, wrist=30), stand(shoulder=90, elbow=0, wrist=-30),
        _("holding a rolling pin at arm's length rolls it with the wrists"),
        P("pin", "left_index")),
    "finger-abduction-band": seated_front(
        sit_front(l_shoulder=10, l_elbow=120), sit_front(l_shoulder=10, l_elbow=120,
                                                         l_finger=35),
        _("sitting spreads the fingers against a rubber band"), P("ring", "left_index")),
    # --- back ---------------------------------------------------------------------------
    "pelvic-tilt": lying(hook(), hook(hip=52, trunk=-86),
                         _("lying on the back with knees bent flattens the lower back")),
    "knee-to-chest": lying(
        hook(), hook(l_hip=120, l_knee=130, l_ankle=-10, l_shoulder=60, l_elbow=70),
        _("lying on the back hugs one knee towards the chest")),
    "lower-trunk-rotation": lying(
        side_lying(trunk=-90, r_shoulder=20, l_shoulder=20, r_elbow=0, l_elbow=0, l_hip=10,
                   r_hip=-10, knee=0),
        side_lying(trunk=-90, r_shoulder=20, l_shoulder=20, r_elbow=0, l_elbow=0, l_hip=35,
                   r_hip=-35, knee=0),
        _("lying on the back, seen from above, lets the knees fall to one side"), view="front"),
    "cat-camel": lying(fours(neck=35), fours(trunk=85, neck=-25),
                       _("on hands and knees rounds the back, then lets it hollow")),
    "prone-press-up": Illustration(
        "side", prone(), prone(trunk=50, hip=-50, shoulder=106, elbow=5, wrist=34), (MAT,),
        anchor="left_hip", rest={"start": ("left_hip", 0.05), "end": ("left_hip", 0.05)},
        alt=_("lying face down presses the upper body up, hips staying down")),
    "bird-dog": lying(fours(), fours(l_shoulder=175, l_wrist=0, r_hip=0, r_knee=0, r_ankle=-60),
                      _("on hands and knees reaches one arm forward and the other leg back")),
    "dead-bug": lying(
        supine(shoulder=90, hip=90, knee=90, elbow=0),
        supine(l_shoulder=170, r_shoulder=90, elbow=0, r_hip=20, r_knee=10, l_hip=90, l_knee=90),
        _("lying on the back lowers one arm overhead and the other leg")),
    "standing-back-extension": standing(
        stand(shoulder=-35, elbow=100), stand(trunk=-20, hip=-20, shoulder=-35, elbow=100),
        _("standing with the hands on the hips leans back gently")),
    "childs-pose": lying(
        fours(), fours(trunk=100, hip=140, knee=130, shoulder=170, wrist=20),
        _("from hands and knees sits back towards the heels, arms reaching forwards")),
    "side-plank-knees": Illustration(
        "front", side_lying(r_shoulder=90, r_elbow=90, l_shoulder=10, knee=0),
        side_lying(trunk=-68, r_shoulder=68, r_elbow=90, l_shoulder=10, knee=0), (MAT,),
        anchor="right_elbow", alt=_("lying on the side lifts the hips up on the forearm")),
    "thoracic-extension-towel": lying(
        hook(trunk=-82, shoulder=150, elbow=120), hook(trunk=-95, shoulder=150, elbow=120),
        _("lying over a rolled towel lets the upper back open"), P("roll", "left_shoulder")),
    # --- hip ----------------------------------------------------------------------------
    "glute-bridge": lying(hook(), hook(trunk=-115, hip=0, knee=95, ankle=-20),
                          _("lying on the back with knees bent lifts the hips"),
                          anchor="left_heel"),
    "clamshell": lying(
        side_lying(l_hip=2, r_hip=-2), side_lying(l_hip=35, l_knee=-70, r_hip=-2),
        _("lying on the side opens the top knee"), view="front"),
    "standing-hip-abduction": standing(
        stand(), stand(l_hip=30), _("holding a chair lifts one leg out to the side"),
        P("chair_back", "right_wrist"), view="front", anchor="right_ankle"),
    "side-lying-hip-abduction": lying(
        side_lying(), side_lying(l_hip=35), _("lying on the side lifts the straight top leg"),
        view="front"),
    "hip-flexor-stretch": Illustration(
        "side", stand(l_hip=90, l_knee=90, r_hip=0, r_knee=90, r_ankle=-90),
        stand(l_hip=70, l_knee=70, r_hip=-25, r_knee=65, r_ankle=-90, l_ankle=0),
        (P("pad", "right_knee"),), anchor="right_knee",
        alt=_("half-kneeling on a pillow shifts forwards to stretch the front of the hip")),
    "figure-four-stretch": lying(
        hook(r_hip=75, r_knee=110, r_ankle=0), hook(l_hip=95, l_knee=90, r_hip=110, r_knee=110,
                                                     r_ankle=0, shoulder=70, elbow=40),
        _("lying on the back with one ankle over the other knee draws the legs in")),
    "standing-hip-extension": standing(
        stand(trunk=5, hip=-5, shoulder=45, elbow=20), stand(trunk=5, r_hip=-5, l_hip=-25,
                                                             shoulder=45, elbow=20),
        _("holding a chair takes one straight leg back"), CHAIR_BACK),
    "stair-hip-hike": standing(
        stand(trunk=8, l_hip=8, r_hip=-8), stand(trunk=-8, l_hip=-8, r_hip=8),
        _("standing on one leg on a step lets the other hip drop, then lifts it"),
        P("step", "right_heel"), view="front", anchor="right_ankle",
        rest={"start": ("right_heel", STEP_H), "end": ("right_heel", STEP_H)}),
    "seated-hip-march": seated(sit(), sit(l_hip=115), _("sitting tall lifts one knee")),
    # --- knee ---------------------------------------------------------------------------
    "quad-set": lying(supine(l_knee=10, l_ankle=0), supine(l_knee=0, l_ankle=15),
                      _("lying with a towel under the knee presses the knee down"),
                      P("roll", "left_knee")),
    "straight-leg-raise": lying(
        hook(l_hip=0, l_knee=0, l_ankle=10), hook(l_hip=45, l_knee=0, l_ankle=10),
        _("lying on the back lifts the straight leg")),
    "heel-slide": lying(supine(l_hip=10, l_knee=15, l_ankle=-10),
                        supine(l_hip=70, l_knee=110, l_ankle=-35),
                        _("lying on the back slides the heel towards the buttock"),
                        P("pad", "left_heel")),
    "short-arc-quad": lying(supine(l_hip=25, l_knee=35, l_ankle=0),
                            supine(l_hip=25, l_knee=0, l_ankle=10),
                            _("lying with a roll under the knee straightens the knee"),
                            P("roll", "left_knee")),
    "seated-knee-extension": seated(sit(), sit(l_knee=0, l_ankle=10),
                                    _("sitting straightens one knee")),
    "standing-hamstring-curl": standing(
        stand(trunk=3, hip=-3, shoulder=45, elbow=20),
        stand(trunk=3, hip=-3, l_knee=90, shoulder=45, elbow=20),
        _("holding a chair bends the knee to bring the heel up behind"), CHAIR_BACK,
        anchor="right_ankle"),
    "mini-squat": standing(
        stand(shoulder=40, elbow=20), stand(trunk=25, hip=50, knee=45, ankle=20, shoulder=55,
                                            elbow=20),
        _("holding a counter sits the hips back and down a little"), COUNTER),
    "sit-to-stand": Illustration(
        "side", sit(trunk=5, shoulder=25, elbow=105), stand(shoulder=25, elbow=105),
        (CHAIR,), anchor="left_ankle",
        alt=_("stands up from a chair, arms crossed, and sits down")),
    "step-up": standing(
        stand(l_hip=70, l_knee=70), stand(), _("steps up onto a stair and down again"),
        P("step", "left_heel"), rest={"end": ("left_heel", STEP_H)}),
    "wall-sit": standing(
        stand(hip=20, ankle=-20, knee=0), stand(hip=80, knee=80),
        _("with the back against a wall slides down into a shallow sit"),
        P("wall", "left_shoulder", side="back"), anchor="left_hip"),
    "seated-knee-flexion-slide": seated(
        sit(), sit(l_knee=120, l_ankle=25), _("sitting slides one foot back under the chair"),
        P("pad", "left_foot_index")),
    "towel-hamstring-stretch": lying(
        supine(shoulder=75, elbow=20, l_hip=20), supine(shoulder=75, elbow=20, l_hip=70),
        _("lying on the back lifts one straight leg with a towel round the foot"),
        P("towel", "left_wrist", "left_foot_index")),
    # --- ankle --------------------------------------------------------------------------
    "ankle-pumps": lying(supine(ankle=-30), supine(ankle=20),
                         _("lying with the legs straight points and pulls the feet")),
    "ankle-alphabet": seated(sit(l_hip=100, l_knee=30, l_ankle=-25),
                             sit(l_hip=100, l_knee=30, l_ankle=20),
                             _("sitting with one foot raised moves the ankle")),
    "calf-raise": standing(stand(shoulder=35, elbow=30),
                           stand(ankle=-30, shoulder=35, elbow=30),
                           _("holding a counter rises up onto the toes"), COUNTER,
                           anchor="left_foot_index"),
    "eccentric-heel-drop": standing(
        stand(ankle=-25, shoulder=35, elbow=30), stand(ankle=20, shoulder=35, elbow=30),
        _("on the edge of a stair lowers the heels slowly below it"),
        P("step", "left_foot_index", side="edge"), COUNTER, anchor="left_foot_index",
        rest={"start": ("left_foot_index", STEP_H), "end": ("left_foot_index", STEP_H)}),
    "wall-calf-stretch": standing(
        stand(trunk=10, r_hip=-10, r_ankle=20, l_hip=40, l_knee=35, l_ankle=5, shoulder=80,
              elbow=20),
        stand(trunk=15, r_hip=-15, r_ankle=30, l_hip=45, l_knee=40, l_ankle=10, shoulder=80,
              elbow=20),
        _("lunging towards a wall stretches the calf of the straight back leg"),
        P("wall", "left_fingertip"), anchor="right_heel"),
    "soleus-stretch": standing(
        stand(trunk=10, r_hip=-10, r_ankle=20, l_hip=40, l_knee=35, l_ankle=5, shoulder=80,
              elbow=20),
        stand(trunk=10, r_hip=0, r_knee=25, r_ankle=35, l_hip=50, l_knee=50, l_ankle=15,
              shoulder=80, elbow=30),
        _("lunging towards a wall bends the back knee to stretch the lower calf"),
        P("wall", "left_fingertip"), anchor="right_heel"),
    "towel-scrunch": seated(sit(l_ankle=0), sit(l_ankle=12),
                            _("sitting scrunches a towel with the toes"),
                            P("pad", "left_foot_index")),
    "towel-calf-stretch-seated": Illustration(
        "side", stand(hip=90, shoulder=70, elbow=10, ankle=-10),
        stand(hip=90, shoulder=70, elbow=10, ankle=15, trunk=-5),
        (MAT, P("towel", "left_wrist", "left_foot_index")), anchor="left_hip",
        alt=_("sitting with the legs straight pulls the foot back with a towel")),
    "ankle-eversion-isometric": standing(
        stand(), stand(l_ankle=25), _("turns the foot outwards against a band"),
        P("band", "left_foot_index", "right_foot_index"), view="front", anchor="right_ankle"),
    "sock-pick-up": seated(sit(l_ankle=-10), sit(l_hip=100, l_ankle=-25),
                           _("sitting picks up a sock with the toes"),
                           P("sock", "left_foot_index")),
    # --- balance ------------------------------------------------------------------------
    "single-leg-stance": standing(
        stand(shoulder=30, elbow=30), stand(l_hip=30, l_knee=60, shoulder=30, elbow=30),
        _("next to a counter stands on one leg"), COUNTER, anchor="right_ankle"),
    "tandem-stance": standing(
        stand(), stand(l_hip=8, l_ankle=-8, r_hip=-8, r_ankle=8),
        _("stands with one foot directly in front of the other"), anchor="right_heel"),
    "tandem-walk": standing(
        stand(l_hip=8, l_ankle=-8, r_hip=-8, r_ankle=8),
        stand(l_hip=-15, l_ankle=0, r_hip=30, r_knee=40, r_ankle=0),
        _("walks heel to toe beside a wall"), P("wall", "left_hip", side="far")),
    "weight-shifts": standing(
        stand(l_hip=8, r_hip=8), stand(l_hip=0, r_hip=16),
        _("standing with the feet apart shifts the weight to one side"), view="front",
        anchor="left_ankle"),
    "feet-together-eyes-closed": standing(
        stand(shoulder=20, elbow=0), stand(trunk=3, shoulder=5, elbow=10),
        _("stands with the feet together and the eyes closed, in a corner"),
        P("wall", "left_shoulder", side="far"), view="front"),
    "clock-reach": standing(
        stand(shoulder=30, elbow=30),
        stand(r_hip=35, r_knee=5, l_hip=20, l_knee=20, shoulder=30, elbow=30),
        _("on one leg reaches the other foot forwards"), COUNTER, anchor="left_ankle"),
    "side-stepping": standing(
        stand(), stand(l_hip=20, r_hip=5), _("steps sideways, feet apart then together"),
        view="front", anchor="right_ankle"),
    "standing-march": standing(
        stand(shoulder=35, elbow=20), stand(l_hip=80, l_knee=80, shoulder=35, elbow=20),
        _("holding a counter marches on the spot"), COUNTER, anchor="right_ankle"),
    "cushion-balance": standing(
        stand(shoulder=30, elbow=30), stand(knee=12, ankle=12, hip=5, shoulder=30, elbow=30),
        _("stands on a cushion, knees soft"), P("cushion", "left_heel"), COUNTER,
        rest={"start": ("left_heel", CUSHION_H), "end": ("left_heel", CUSHION_H)}),
}
