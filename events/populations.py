"""Built for Zero populations: the one definition of who belongs to which, from a person's clear attributes.
Read models store the result (see docs/design.md), so no query restates the rule."""

from collections.abc import Mapping
from typing import Any

POPULATIONS = ("all", "single_adults", "veterans", "chronic", "youth", "families")
#: The clear attributes membership depends on: a read model that stores memberships keeps these.
MEMBERSHIP_ATTRIBUTES = ("household_type", "veteran", "chronic")


def populations_of(attrs: Mapping[str, Any]) -> set[str]:
    """The Built for Zero populations a person with these attributes belongs to."""
    household_type = attrs.get("household_type")
    populations = {"all"}
    if household_type == "single_adult":
        populations.add("single_adults")
    if attrs.get("veteran") == "yes":
        populations.add("veterans")
    if attrs.get("chronic") is True:
        populations.add("chronic")
    if household_type == "youth":
        populations.add("youth")
    if household_type == "family":
        populations.add("families")
    return populations
