"""The unit checks share the spec's seeding, so a helper's numbers are as reproducible as a claim's."""

from spec.conftest import _seeded, rng  # noqa: F401
