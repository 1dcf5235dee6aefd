"""The exchange app's part of the demo: trafficking details on the demo cases that have
none yet (drawn from each case's code, so the same every time; idempotent)."""

import random

from himaya.cases.models import Case, LabourSector, MeansOfControl, RecruiterRelationship
from himaya.exchange.selectors import SCREENING_MEANS

SEED = "himaya-exchange-demo"
SECTORS = [LabourSector.T, LabourSector.A, LabourSector.F, LabourSector.I, LabourSector.C, ""]
RELATIONS = [r.value for r in RecruiterRelationship]


def seed() -> str:
    filled = 0
    cases = Case.objects.filter(means_of_control=[], recruiter_relationship="").order_by("id")
    for case in cases.iterator(chunk_size=500):
        rng = random.Random(f"{SEED}-{case.code}")
        means = sorted(
            set(rng.sample(sorted(set(SCREENING_MEANS.values())), rng.randint(1, 3)))
            | ({MeansOfControl.PSYCHOLOGICAL_ABUSE.value} if rng.random() < 0.3 else set())
        )
        recruited = rng.randint(12, 40)
        Case.objects.filter(pk=case.pk).update(
            means_of_control=means,
            labour_sector=rng.choice(SECTORS),
            recruiter_relationship=rng.choice(RELATIONS),
            was_abducted=rng.random() < 0.1,
            age_at_recruitment=recruited,
            age_at_exploitation=recruited + rng.randint(0, 2),
            exploitation_months=rng.randint(1, 36),
            country_of_recruitment="EG",
        )
        filled += 1
    return f"trafficking details filled on {filled} cases"
