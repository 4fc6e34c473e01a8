"""The visit WebSocket's message schema: every client message is checked here first.

Why: the signaling socket is reachable by anyone holding a join link, and whatever it
accepts is relayed to other people's browsers. So each frame is size-capped, must be JSON,
must name a known `type`, and must carry exactly that type's fields with bounded sizes;
anything else is refused with a stable code to the sender only (the room is not touched).

Validation is pydantic (already a dependency through django-ninja), strict and with
unknown fields forbidden; `parse` maps its errors to four codes:
``too_large``, ``malformed`` (not JSON or not an object), ``unknown_type``, ``invalid``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from telept.motion.exercises import EXERCISES

MAX_MESSAGE_BYTES = 64 * 1024
MAX_CHAT_CHARS = 2000
MAX_STROKE_POINTS = 2000

_ID = Annotated[int, Field(ge=1, le=2**53)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Ping(_Message):
    type: Literal["ping"]
    id: Annotated[int, Field(ge=0, le=2**53)] | None = None


class SessionDescription(_Message):
    type: Literal["offer", "answer", "pranswer", "rollback"]
    sdp: Annotated[str, Field(max_length=60_000)] = ""


class IceCandidate(_Message):
    candidate: Annotated[str, Field(max_length=2000)]
    sdpMid: Annotated[str, Field(max_length=64)] | None = None  # noqa: N815 - WebRTC's names
    sdpMLineIndex: Annotated[int, Field(ge=0, le=1024)] | None = None  # noqa: N815
    usernameFragment: Annotated[str, Field(max_length=256)] | None = None  # noqa: N815


class SignalData(_Message):
    """Exactly one of: a session description, an ICE candidate, or the end of candidates."""

    description: SessionDescription | None = None
    candidate: IceCandidate | None = None
    end_of_candidates: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> SignalData:
        count = sum([self.description is not None, self.candidate is not None,
                     self.end_of_candidates])
        if count != 1:
            raise ValueError("give exactly one of description, candidate, end_of_candidates")
        return self


class Signal(_Message):
    type: Literal["signal"]
    to: _ID
    data: SignalData


class Chat(_Message):
    type: Literal["chat"]
    text: Annotated[str, Field(min_length=1, max_length=MAX_CHAT_CHARS)]

    @model_validator(mode="after")
    def _not_blank(self) -> Chat:
        if not self.text.strip():
            raise ValueError("a chat message needs some text")
        return self


_Unit = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class Stroke(_Message):
    """Points in page-independent units (0..1 of the board's width and height)."""

    id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    points: Annotated[list[tuple[_Unit, _Unit]], Field(min_length=1,
                                                       max_length=MAX_STROKE_POINTS)]
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
    width: Annotated[float, Field(ge=0.5, le=50.0, allow_inf_nan=False)]


class Whiteboard(_Message):
    type: Literal["wb"]
    op: Literal["stroke", "clear"]
    stroke: Stroke | None = None

    @model_validator(mode="after")
    def _stroke_when_drawing(self) -> Whiteboard:
        if (self.op == "stroke") != (self.stroke is not None):
            raise ValueError("op 'stroke' needs a stroke; 'clear' takes none")
        return self


class Mode(_Message):
    """The sender's call-quality mode changed (static/js/quality.js decides)."""

    type: Literal["mode"]
    mode: Literal["full", "reduced", "audio_only"]
    manual: bool = False
    reason: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]*$")] = ""


class Media(_Message):
    """Facts about the sender's media connection, for the visit record."""

    type: Literal["media"]
    state: Literal["ice_restart", "connected", "disconnected", "failed"]
    peer: _ID | None = None


_EXERCISE = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


class Motion(_Message):
    """A host asks a participant's page to start or stop streaming pose landmarks.

    Only the request travels here; the landmarks go peer to peer on the call's data channel
    (the signaling socket and the channel layer are far too slow for 15 frames a second).
    """

    type: Literal["motion"]
    action: Literal["start", "stop"]
    to: _ID
    exercise: _EXERCISE | None = None
    side: Literal["auto", "left", "right"] = "auto"

    @model_validator(mode="after")
    def _known_exercise(self) -> Motion:
        if self.action == "start" and self.exercise not in EXERCISES:
            raise ValueError(f"exercise: one of {', '.join(EXERCISES)}")
        return self


class MotionStatus(_Message):
    """The measured page tells the hosts: tracking started, stopped (and by whom), or it
    cannot run here."""

    type: Literal["motion_status"]
    state: Literal["started", "stopped", "unsupported", "failed"]
    by: Literal["patient", "therapist", "page"] = "page"


class Skeleton(_Message):
    """The sender's page starts or stops skeleton mode: its video paused, only pose landmarks
    go to the therapist (peer to peer, on the call's data channel; never through here). Why:
    the call stepped down to audio only (`network`), the therapist asked (`therapist`), or
    the patient stopped it (`patient`). Recorded as minutes by modality."""

    type: Literal["skeleton"]
    state: Literal["on", "off"]
    reason: Literal["network", "therapist", "patient", "page"] = "network"


class SkeletonAsk(_Message):
    """A host asks a participant's page to switch skeleton mode on or off (relayed only)."""

    type: Literal["skeleton_ask"]
    to: _ID
    on: bool


class HostAction(_Message):
    type: Literal["admit", "send_back", "remove", "decline"]
    pid: _ID


class AdmitAll(_Message):
    type: Literal["admit_all"]


class Leave(_Message):
    type: Literal["leave"]


class End(_Message):
    type: Literal["end"]


ClientMessage = Annotated[
    Ping | Signal | Chat | Whiteboard | Mode | Media | Motion | MotionStatus | Skeleton
    | SkeletonAsk | HostAction | AdmitAll | Leave | End,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
HOST_TYPES = frozenset({"admit", "send_back", "remove", "decline", "admit_all", "end",
                        "motion", "skeleton_ask"})


class SchemaError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse(text: str | bytes | None) -> ClientMessage:
    """One client frame -> a typed message, or `SchemaError` with a stable code."""
    if text is None:
        raise SchemaError("malformed", "Send JSON text frames.")
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > MAX_MESSAGE_BYTES:
        raise SchemaError("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
    try:
        return _ADAPTER.validate_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        first = errors[0] if errors else {"type": "", "loc": (), "msg": "invalid"}
        kind = first["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            raise SchemaError("unknown_type", "Unknown or missing message type.") from None
        if kind in ("json_invalid", "json_type") or not first["loc"]:
            raise SchemaError("malformed", "Send one JSON object per frame.") from None
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        raise SchemaError("invalid", f"{where}: {first['msg']}"[:200]) from None
