"""Exercise recordings for asynchronous review.

The patient films a set of a camera-measurable exercise in the portal; the worker finds the
pose landmarks in it with MediaPipe (`telept.motion.extract`) and runs the same
`telept.motion.analyze` as the live visit; a clinician watches it with the skeleton drawn
over it, reads the figures and writes feedback the patient sees in the portal.

`media` (pure) accepts or refuses a file; `selectors` read, scoped and audited; `services`
write; `views` adapt. The video lives in `RecordingStorage`, outside MEDIA_ROOT, and leaves
the server only through `views.recording_video`.
"""
