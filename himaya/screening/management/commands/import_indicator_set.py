from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from himaya.audit.actions import record_event
from himaya.screening.catalogue import (
    FIRST_CATALOGUE,
    CatalogueFileError,
    load_sets,
    read_file,
)
from himaya.screening.models import CatalogueVersion, IndicatorSet, TraffickingIndicator


class Command(BaseCommand):
    help = (
        "Import indicator sets from a CSV file in the format of "
        "himaya/screening/data/ilo_ec_2009_labour.csv into a catalogue version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--catalogue",
            default=FIRST_CATALOGUE,
            help="catalogue version label (default: %(default)s); a new label makes a new version",
        )
        parser.add_argument("--source", default="", help="where the indicators come from")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            specs = read_file(path)
            with transaction.atomic():
                report = load_sets(
                    specs,
                    catalogue_label=options["catalogue"],
                    source=options["source"] or path.name,
                    catalogue_model=CatalogueVersion,
                    set_model=IndicatorSet,
                    indicator_model=TraffickingIndicator,
                )
                if report.sets_created:
                    record_event(
                        action="screening.indicator_sets_imported",
                        object_type="screening.indicatorset",
                        object_code=",".join(report.sets_created),
                        actor_username="manage.py",
                        details={
                            "catalogue_version": options["catalogue"],
                            "sets": report.sets_created,
                            "indicators": report.indicators_created,
                        },
                    )
        except CatalogueFileError as error:
            raise CommandError(str(error)) from error
        for code in report.sets_created:
            self.stdout.write(f"imported {code} into {options['catalogue']}")
        for code in report.sets_unchanged:
            self.stdout.write(f"{code} already in {options['catalogue']}, unchanged")
        self.stdout.write(f"{report.indicators_created} indicators created")
