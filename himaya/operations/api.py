"""JSON API of the control and emergency centre, scoped exactly as the pages.

Reports are listed and shown without their identifying details (those stay on the
operator's page, where each reading is audited); partner agencies reach only the tasks
assigned to them, with the incident's code and kind and nothing of its details.
"""

from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import models
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate
from himaya.agencies.permissions import require_capability
from himaya.core.api import VersionField
from himaya.operations import actions, selectors
from himaya.operations.models import (
    Alert,
    Channel,
    CommunicationChannel,
    Incident,
    IncidentKind,
    IncidentTask,
    Intake,
    IntakeClosure,
    TaskKind,
    TaskStatus,
)
from himaya.operations.selectors import (
    MANAGE_ALERTS,
    MANAGE_INCIDENTS,
    RECORD_INTAKE,
    WORK_TASKS,
)

# --- what every route shares ------------------------------------------------------------------

Model = TypeVar("Model", bound=models.Model)


def created(
    request: Request,
    capability: str,
    given: type[serializers.Serializer[Any]],
    out: type[serializers.Serializer[Any]],
    make: Callable[[User, dict[str, Any]], Any],
) -> Response:
    """A record made from a valid body by ``make``: 201 with the record as ``out`` shows it."""
    user = acting_user(request)
    require_capability(user, capability)
    body = given(data=request.data)
    body.is_valid(raise_exception=True)
    return Response(out(make(user, dict(body.validated_data))).data, status=status.HTTP_201_CREATED)


class DetailApi(APIView, Generic[Model], metaclass=ABCMeta):
    # One record by its code (404 when missing or out of the user's scope), read with GET
    # and moved on with POST: the body, valid for ``given``, goes to ``act``, and the answer
    # is the record read again, as ``out`` shows it. Refusals of the actions are answered by
    # the project's exception handler. (No docstring: the schema would show it.)

    capability: str
    given: type[serializers.Serializer[Any]]
    out: type[serializers.Serializer[Any]]

    @abstractmethod
    def find(self, user: User, code: str) -> Model:
        """The record of ``code`` in the user's scope (404 otherwise)."""

    @abstractmethod
    def act(self, record: Model, by: User, data: dict[str, Any]) -> None:
        """The action the valid body asks for."""

    def get(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, self.capability)
        return Response(self.out(self.find(user, code)).data)

    def post(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, self.capability)
        record = self.find(user, code)
        body = self.given(data=request.data)
        body.is_valid(raise_exception=True)
        self.act(record, user, dict(body.validated_data))
        return Response(self.out(self.find(user, code)).data)


# --- intake ------------------------------------------------------------------------------------


class IntakeOut(serializers.ModelSerializer[Intake]):
    governorate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    case: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    screening: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    incident: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Intake
        fields = [
            "code",
            "channel",
            "anonymous",
            "about_child",
            "immediate_danger",
            "governorate",
            "triage",
            "status",
            "received_at",
            "respond_by",
            "responded_at",
            "case",
            "screening",
            "incident",
            "closure_reason",
            "closed_at",
            "version",
        ]


class IntakeIn(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    summary = serializers.CharField(max_length=4000)
    about_child = serializers.BooleanField(default=False)
    immediate_danger = serializers.BooleanField(default=False)
    anonymous = serializers.BooleanField(default=False)
    reporter_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    person_details = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    location = serializers.CharField(max_length=500, required=False, allow_blank=True)
    governorate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Governorate.objects.all(), required=False, allow_null=True
    )


class IntakeActionIn(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["take_up", "link", "close"])
    version = VersionField()
    case = serializers.CharField(required=False, allow_blank=True, max_length=20)
    screening = serializers.CharField(required=False, allow_blank=True, max_length=20)
    incident = serializers.CharField(required=False, allow_blank=True, max_length=20)
    reason = serializers.ChoiceField(choices=IntakeClosure.choices, required=False)


@extend_schema(responses=IntakeOut(many=True))
class IntakeListApi(ListAPIView[Intake]):
    serializer_class = IntakeOut

    def get_queryset(self) -> Any:
        user = acting_user(self.request)
        require_capability(user, RECORD_INTAKE)
        return selectors.intakes_visible_to(user).select_related(
            "governorate", "case", "screening", "incident"
        )

    @extend_schema(request=IntakeIn, responses={201: IntakeOut})
    def post(self, request: Request) -> Response:
        """Record a report: it is triaged by rule and given its response deadline."""
        return created(
            request,
            RECORD_INTAKE,
            IntakeIn,
            IntakeOut,
            lambda user, data: actions.record_intake(by=user, **data),
        )


@extend_schema_view(
    get=extend_schema(responses={200: IntakeOut}),
    post=extend_schema(
        operation_id="operations_intake_act",
        description="Take up, link (to a case, a screening or an incident, by code) or close.",
        request=IntakeActionIn,
        responses={200: IntakeOut},
    ),
)
class IntakeDetailApi(DetailApi[Intake]):
    capability = RECORD_INTAKE
    given = IntakeActionIn
    out = IntakeOut

    def find(self, user: User, code: str) -> Intake:
        return selectors.get_intake_or_404(user, code)

    def act(self, intake: Intake, by: User, data: dict[str, Any]) -> None:
        version = data["version"]
        if data["action"] == "take_up":
            actions.take_up_intake(intake=intake, by=by, version=version)
        elif data["action"] == "link":
            actions.link_intake(
                intake=intake,
                by=by,
                version=version,
                case_code=data.get("case", ""),
                screening_code=data.get("screening", ""),
                incident_code=data.get("incident", ""),
            )
        else:
            actions.close_intake(
                intake=intake, by=by, version=version, reason=data.get("reason", "")
            )


# --- alerts ------------------------------------------------------------------------------------


class AlertOut(serializers.ModelSerializer[Alert]):
    governorate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    assigned_to: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Alert
        fields = [
            "code",
            "rule",
            "severity",
            "condition_key",
            "window",
            "figure",
            "governorate",
            "raised_at",
            "status",
            "acknowledged_at",
            "assigned_to",
            "resolved_at",
            "note",
            "escalation_level",
            "version",
        ]


class AlertActionIn(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["acknowledge", "assign", "resolve"])
    version = VersionField()
    assigned_to: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


@extend_schema(responses=AlertOut(many=True))
class AlertListApi(ListAPIView[Alert]):
    serializer_class = AlertOut

    def get_queryset(self) -> Any:
        user = acting_user(self.request)
        require_capability(user, MANAGE_ALERTS)
        if _all(self.request) == "1":
            return selectors.alerts_visible_to(user).select_related("governorate", "assigned_to")
        return selectors.open_alerts(user)


@extend_schema_view(
    get=extend_schema(responses={200: AlertOut}),
    post=extend_schema(
        operation_id="operations_alert_act",
        description="Acknowledge, assign (to a username) or resolve (with a note).",
        request=AlertActionIn,
        responses={200: AlertOut},
    ),
)
class AlertDetailApi(DetailApi[Alert]):
    capability = MANAGE_ALERTS
    given = AlertActionIn
    out = AlertOut

    def find(self, user: User, code: str) -> Alert:
        return selectors.get_alert_or_404(user, code)

    def act(self, alert: Alert, by: User, data: dict[str, Any]) -> None:
        version = data["version"]
        if data["action"] == "acknowledge":
            actions.acknowledge_alert(alert=alert, by=by, version=version)
        elif data["action"] == "assign":
            actions.assign_alert(
                alert=alert, by=by, version=version, to=_needed(data, "assigned_to")
            )
        else:
            actions.resolve_alert(alert=alert, by=by, version=version, note=data.get("note", ""))


def _all(request: Request) -> str:
    """The ``all`` filter: 1 for every alert, 0 (or nothing) for the open ones; 400 for
    anything else."""
    field = serializers.ChoiceField(choices=["", "0", "1"], required=False)
    try:
        return str(field.run_validation(request.query_params.get("all", "")))
    except serializers.ValidationError as error:
        raise serializers.ValidationError({"all": error.detail}) from error


def _needed(data: dict[str, Any], name: str) -> Any:
    """An input that the chosen action needs although the others do not (400 without it)."""
    if data.get(name) is None:
        raise serializers.ValidationError(
            {name: [str(serializers.Field.default_error_messages["required"])]}
        )
    return data[name]


# --- incidents ---------------------------------------------------------------------------------


class IncidentOut(serializers.ModelSerializer[Incident]):
    governorate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    alert: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    case: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Incident
        fields = [
            "code",
            "kind",
            "title",
            "governorate",
            "status",
            "opened_at",
            "alert",
            "case",
            "closed_at",
            "version",
        ]


class IncidentIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    governorate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Governorate.objects.all(), required=False, allow_null=True
    )
    alert = serializers.CharField(required=False, allow_blank=True, max_length=20)
    intake = serializers.CharField(required=False, allow_blank=True, max_length=20)
    case = serializers.CharField(required=False, allow_blank=True, max_length=20)


class IncidentActionIn(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["close", "log"])
    version = VersionField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=CommunicationChannel.choices, required=False)
    counterpart: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(is_active=True), required=False
    )
    text = serializers.CharField(max_length=4000, required=False, allow_blank=True)


@extend_schema(responses=IncidentOut(many=True))
class IncidentListApi(ListAPIView[Incident]):
    serializer_class = IncidentOut

    def get_queryset(self) -> Any:
        user = acting_user(self.request)
        require_capability(user, MANAGE_INCIDENTS)
        return selectors.incidents_visible_to(user).select_related("governorate", "alert", "case")

    @extend_schema(request=IncidentIn, responses={201: IncidentOut})
    def post(self, request: Request) -> Response:
        """Open an incident by hand, from an alert or from a report (by code)."""

        def open_one(user: User, data: dict[str, Any]) -> Incident:
            alert = data.get("alert")
            intake = data.get("intake")
            return actions.open_incident(
                by=user,
                kind=data["kind"],
                title=data["title"],
                summary=data.get("summary", ""),
                governorate=data.get("governorate"),
                alert=selectors.get_alert_or_404(user, alert) if alert else None,
                intake=selectors.get_intake_or_404(user, intake) if intake else None,
                case_code=data.get("case", ""),
            )

        return created(request, MANAGE_INCIDENTS, IncidentIn, IncidentOut, open_one)


@extend_schema_view(
    get=extend_schema(responses={200: IncidentOut}),
    post=extend_schema(
        operation_id="operations_incident_act",
        description="Close the incident (with its version) or log a communication.",
        request=IncidentActionIn,
        responses={200: IncidentOut},
    ),
)
class IncidentDetailApi(DetailApi[Incident]):
    capability = MANAGE_INCIDENTS
    given = IncidentActionIn
    out = IncidentOut

    def find(self, user: User, code: str) -> Incident:
        return selectors.get_incident_or_404(user, code)

    def act(self, incident: Incident, by: User, data: dict[str, Any]) -> None:
        if data["action"] == "close":
            actions.close_incident(
                incident=incident,
                by=by,
                version=_needed(data, "version"),
                note=data.get("note", ""),
            )
        else:
            actions.log_communication(
                incident=incident,
                by=by,
                channel=data.get("channel", ""),
                text=data.get("text", ""),
                counterpart=data.get("counterpart"),
            )


# --- tasks -------------------------------------------------------------------------------------


class TaskOut(serializers.ModelSerializer[IncidentTask]):
    incident = serializers.CharField(source="incident.code")
    incident_kind = serializers.CharField(source="incident.kind")
    agency = serializers.CharField(source="agency.code")
    owner: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = IncidentTask
        fields = [
            "code",
            "incident",
            "incident_kind",
            "kind",
            "agency",
            "owner",
            "description",
            "due_at",
            "status",
            "note",
            "completed_at",
            "version",
        ]


class TaskIn(serializers.Serializer[Any]):
    incident = serializers.CharField(max_length=20)
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(is_active=True)
    )
    description = serializers.CharField(max_length=300)
    due_at = serializers.DateTimeField()


class TaskUpdateIn(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=[TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED]
    )
    version = VersionField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


@extend_schema(responses=TaskOut(many=True))
class TaskListApi(ListAPIView[IncidentTask]):
    serializer_class = TaskOut

    def get_queryset(self) -> Any:
        user = acting_user(self.request)
        require_capability(user, WORK_TASKS)
        return selectors.recent_tasks(user)

    @extend_schema(request=TaskIn, responses={201: TaskOut})
    def post(self, request: Request) -> Response:
        """Assign a task of an incident to an agency (the centre only)."""

        def assign(user: User, data: dict[str, Any]) -> IncidentTask:
            incident = selectors.get_incident_or_404(user, data.pop("incident"))
            return actions.assign_task(incident=incident, by=user, **data)

        return created(request, MANAGE_INCIDENTS, TaskIn, TaskOut, assign)


@extend_schema_view(
    get=extend_schema(responses={200: TaskOut}),
    post=extend_schema(
        operation_id="operations_task_update",
        description="Move the task on: in progress, done (or cancelled, by the centre).",
        request=TaskUpdateIn,
        responses={200: TaskOut},
    ),
)
class TaskDetailApi(DetailApi[IncidentTask]):
    capability = WORK_TASKS
    given = TaskUpdateIn
    out = TaskOut

    def find(self, user: User, code: str) -> IncidentTask:
        return selectors.get_task_or_404(user, code)

    def act(self, task: IncidentTask, by: User, data: dict[str, Any]) -> None:
        actions.update_task(
            task=task,
            by=by,
            version=data["version"],
            status=data["status"],
            note=data.get("note", ""),
        )
