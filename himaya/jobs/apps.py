from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "himaya.jobs"
    label = "jobs"
    verbose_name = _("Scheduled jobs")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules
        from huey.contrib.djhuey import HUEY

        from himaya.jobs import nav  # noqa: F401
        from himaya.jobs.recording import connect

        connect(HUEY)
        # Every app's tasks.py registers its tasks and their labels (the consumer loads
        # them too); the pages need the labels, the web needs the tasks to enqueue them.
        autodiscover_modules("tasks")
