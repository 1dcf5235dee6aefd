"""Runs and done days in the administration site, read-only.

The site is defined by ``himaya.accounts.admin`` (above jobs), which registers
``MODEL_ADMINS``, as it does for the agencies. Only the queue writes these tables.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from himaya.jobs.models import JobDay, JobRun
from himaya.jobs.selectors import VIEW_RUNS

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:  # not subscriptable at run time
    ModelAdmin = admin.ModelAdmin


class ReadOnly(ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_RUNS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(VIEW_RUNS)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class JobRunAdmin(ReadOnly):
    list_display = ("task_name", "status", "attempts", "started_at", "finished_at")
    list_filter = ("status", "task_name")
    search_fields = ("task_name", "task_id")
    date_hierarchy = "started_at"
    fields = (
        "task_name",
        "task_id",
        "args_summary",
        "status",
        "attempts",
        "retries_left",
        "started_at",
        "finished_at",
        "error",
    )


class JobDayAdmin(ReadOnly):
    list_display = ("task_name", "day", "done_at")
    list_filter = ("task_name",)
    date_hierarchy = "day"


MODEL_ADMINS: dict[Any, type[ModelAdmin]] = {JobRun: JobRunAdmin, JobDay: JobDayAdmin}
