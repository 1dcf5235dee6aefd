from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from himaya.jobs import selectors


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    """The administrator's view of the queue: each job's last outcome, failures, runs."""
    if not request.user.has_perm(selectors.VIEW_RUNS):
        raise PermissionDenied
    return render(
        request,
        "jobs/runs.html",
        {
            "jobs": selectors.job_states(request.user),
            "failures": selectors.recent_failures(request.user),
            "runs": selectors.recent_runs(request.user),
        },
    )
