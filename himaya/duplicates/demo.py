"""Demo: a few survivors registered twice in the Cairo directorate, once in each script,
so that the supervisor's review queue holds likely duplicates. Idempotent."""

from django.db.models import Q

from himaya.accounts.models import User
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency
from himaya.duplicates.models import CandidatePair
from himaya.duplicates.rules import reasons, score_pair
from himaya.duplicates.selectors import current_weights, match_record_of
from himaya.survivors import rules as survivor_rules
from himaya.survivors.actions import (
    rebuild_search_index,
    refresh_match_keys,
    sync_survivor_access,
)
from himaya.survivors.indexes import name_index
from himaya.survivors.models import Survivor

# (Arabic name, the Latin spelling of a second record, year of birth, second year, sex)
TWINS = [
    ("فاطمة عبد الله محمود", "Fatma Abdallah Mahmoud", 2001, 2002, "female"),
    ("محمد أحمد السيد", "Mohamed Ahmed El Sayed", 1998, 1998, "male"),
    ("خديجة عمر حسن", "Khadiga Omar Hassan", 2005, 2004, "female"),
]


def seed() -> str:
    agency = Agency.objects.filter(name_en=agencies_demo.CAIRO_DIRECTORATE).first()
    worker = User.objects.filter(username="caseworker").first()
    if agency is None or worker is None:
        return "skipped (no demo agency)"
    if CandidatePair.objects.exists():
        return f"0 pairs created, {CandidatePair.objects.count()} in the demo"
    weights = current_weights()
    created = 0
    for name_ar, name_latin, year, other_year, sex in TWINS:
        pair = []
        for arabic, latin, born in ((name_ar, "", year), ("", name_latin, other_year)):
            existing = Survivor.objects.filter(
                Q(name_ar_index=name_index(arabic))
                if arabic
                else Q(name_latin_index=name_index(latin)),
                registered_by_agency=agency,
            ).first()
            survivor = existing or Survivor.objects.create(
                registered_by_agency=agency,
                registered_by=worker,
                sex=sex,
                nationality="EG",
                name_ar=arabic,
                name_latin=latin,
                birth_year=born,
                name_ar_index=name_index(arabic),
                name_latin_index=name_index(latin),
            )
            sync_survivor_access(survivor=survivor)
            rebuild_search_index(survivor_ids=[survivor.pk])
            refresh_match_keys(survivor=survivor)
            pair.append(survivor)
        scored = score_pair(match_record_of(pair[0], []), match_record_of(pair[1], []), weights)
        first, second = survivor_rules.pair_ids(pair[0].pk, pair[1].pk)
        CandidatePair.objects.get_or_create(
            survivor_a_id=first,
            survivor_b_id=second,
            defaults={
                "score": scored.score,
                "reasons": reasons(scored.levels, weights, frequency=scored.frequency),
            },
        )
        created += 1
    return f"{created} pairs created"
