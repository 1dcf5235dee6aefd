"""JSON API of the control and emergency centre, scoped exactly as the pages.

Reports are listed and shown without their identifying details (those stay on the
operator's page, where each reading is audited); partner agencies reach only the tasks
assigned to them, with the incident's code and kind and nothing of its details.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
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
        user = acting_user(request)
        require_capability(user, RECORD_INTAKE)
        given = IntakeIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        intake = actions.record_intake(
            by=user,
            channel=data["channel"],
            summary=data["summary"],
            about_child=data["about_child"],
            immediate_danger=data["immediate_danger"],
            anonymous=data["anonymous"],
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            person_details=data.get("person_details", ""),
            location=data.get("location", ""),
            governorate=data.get("governorate"),
        )
        return Response(IntakeOut(intake).data, status=status.HTTP_201_CREATED)


class IntakeDetailApi(APIView):
    @extend_schema(responses={200: IntakeOut})
    def get(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, RECORD_INTAKE)
        return Response(IntakeOut(selectors.get_intake_or_404(user, code)).data)

    @extend_schema(
        operation_id="operations_intake_act", request=IntakeActionIn, responses={200: IntakeOut}
    )
    def post(self, request: Request, code: str) -> Response:
        """Take up, link (to a case, a screening or an incident, by code) or close."""
        user = acting_user(request)
        require_capability(user, RECORD_INTAKE)
        intake = selectors.get_intake_or_404(user, code)
        given = IntakeActionIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if data["action"] == "take_up":
            intake = actions.take_up_intake(intake=intake, by=user, version=data["version"])
        elif data["action"] == "link":
            intake = actions.link_intake(
                intake=intake,
                by=user,
                version=data["version"],
                case_code=data.get("case", ""),
                screening_code=data.get("screening", ""),
                incident_code=data.get("incident", ""),
            )
        else:
            intake = actions.close_intake(
                intake=intake, by=user, version=data["version"], reason=data.get("reason", "")
            )
        intake.refresh_from_db()
        return Response(IntakeOut(intake).data)


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
        if self.request.query_params.get("all") == "1":
            return selectors.alerts_visible_to(user).select_related("governorate", "assigned_to")
        return selectors.open_alerts(user)


class AlertDetailApi(APIView):
    @extend_schema(responses={200: AlertOut})
    def get(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, MANAGE_ALERTS)
        return Response(AlertOut(selectors.get_alert_or_404(user, code)).data)

    @extend_schema(
        operation_id="operations_alert_act", request=AlertActionIn, responses={200: AlertOut}
    )
    def post(self, request: Request, code: str) -> Response:
        """Acknowledge, assign (to a username) or resolve (with a note)."""
        user = acting_user(request)
        require_capability(user, MANAGE_ALERTS)
        alert = selectors.get_alert_or_404(user, code)
        given = AlertActionIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if data["action"] == "acknowledge":
            alert = actions.acknowledge_alert(alert=alert, by=user, version=data["version"])
        elif data["action"] == "assign":
            if data.get("assigned_to") is None:
                raise serializers.ValidationError({"assigned_to": [_required()]})
            alert = actions.assign_alert(
                alert=alert, by=user, version=data["version"], to=data["assigned_to"]
            )
        else:
            alert = actions.resolve_alert(
                alert=alert, by=user, version=data["version"], note=data.get("note", "")
            )
        alert.refresh_from_db()
        return Response(AlertOut(alert).data)


def _required() -> str:
    return str(serializers.Field.default_error_messages["required"])


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
        user = acting_user(request)
        require_capability(user, MANAGE_INCIDENTS)
        given = IncidentIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        alert = selectors.get_alert_or_404(user, data["alert"]) if data.get("alert") else None
        intake = selectors.get_intake_or_404(user, data["intake"]) if data.get("intake") else None
        incident = actions.open_incident(
            by=user,
            kind=data["kind"],
            title=data["title"],
            summary=data.get("summary", ""),
            governorate=data.get("governorate"),
            alert=alert,
            intake=intake,
            case_code=data.get("case", ""),
        )
        return Response(IncidentOut(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailApi(APIView):
    @extend_schema(responses={200: IncidentOut})
    def get(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, MANAGE_INCIDENTS)
        return Response(IncidentOut(selectors.get_incident_or_404(user, code)).data)

    @extend_schema(
        operation_id="operations_incident_act",
        request=IncidentActionIn,
        responses={200: IncidentOut},
    )
    def post(self, request: Request, code: str) -> Response:
        """Close the incident (with its version) or log a communication."""
        user = acting_user(request)
        require_capability(user, MANAGE_INCIDENTS)
        incident = selectors.get_incident_or_404(user, code)
        given = IncidentActionIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if data["action"] == "close":
            if data.get("version") is None:
                raise serializers.ValidationError({"version": [_required()]})
            actions.close_incident(
                incident=incident, by=user, version=data["version"], note=data.get("note", "")
            )
        else:
            actions.log_communication(
                incident=incident,
                by=user,
                channel=data.get("channel", ""),
                text=data.get("text", ""),
                counterpart=data.get("counterpart"),
            )
        incident.refresh_from_db()
        return Response(IncidentOut(incident).data)


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
        user = acting_user(request)
        require_capability(user, MANAGE_INCIDENTS)
        given = TaskIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        incident = selectors.get_incident_or_404(user, data["incident"])
        task = actions.assign_task(
            incident=incident,
            by=user,
            kind=data["kind"],
            agency=data["agency"],
            description=data["description"],
            due_at=data["due_at"],
        )
        return Response(TaskOut(task).data, status=status.HTTP_201_CREATED)


class TaskDetailApi(APIView):
    @extend_schema(responses={200: TaskOut})
    def get(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, WORK_TASKS)
        return Response(TaskOut(selectors.get_task_or_404(user, code)).data)

    @extend_schema(
        operation_id="operations_task_update", request=TaskUpdateIn, responses={200: TaskOut}
    )
    def post(self, request: Request, code: str) -> Response:
        """Move the task on: in progress, done (or cancelled, by the centre)."""
        user = acting_user(request)
        require_capability(user, WORK_TASKS)
        task = selectors.get_task_or_404(user, code)
        given = TaskUpdateIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        task = actions.update_task(
            task=task,
            by=user,
            version=data["version"],
            status=data["status"],
            note=data.get("note", ""),
        )
        task.refresh_from_db()
        return Response(TaskOut(selectors.get_task_or_404(user, code)).data)
