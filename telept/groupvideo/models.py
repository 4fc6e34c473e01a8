"""A group class's Janus room, beside the visit that holds its seats.

A class is one `visits.Visit` for the class's host appointment (scheduling: one host
appointment with a capacity, a seat appointment per patient); its people are
`visits.Participant` seats and what happened is `visits.VisitEvent` rows, exactly as in 1:1
visits, so attendance, minutes and billing read one record. This table adds only what the
SFU needs: the VideoRoom's number and the class-wide state every page must see after a
reload (who is spotlighted, whether everyone was muted). The room's secret and pin are never
stored: they are derived from JANUS_ADMIN_KEY and the room number (`tokens.derive`).
"""

from __future__ import annotations

from django.db import models


class ClassRoom(models.Model):
    visit = models.OneToOneField("visits.Visit", on_delete=models.CASCADE,
                                 related_name="class_room")
    room_id = models.BigIntegerField(unique=True, help_text="Janus VideoRoom number.")
    publishers = models.PositiveSmallIntegerField(help_text="Capacity + the host.")
    created_at = models.DateTimeField(auto_now_add=True)
    janus_created_at = models.DateTimeField(null=True, blank=True,
                                            help_text="Last created in Janus (null: not yet).")
    destroyed_at = models.DateTimeField(null=True, blank=True)
    spotlight = models.ForeignKey("visits.Participant", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    muted_all_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Class room {self.room_id} (visit {self.visit_id})"
