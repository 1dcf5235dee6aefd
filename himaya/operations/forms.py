"""Forms of the centre's pages. The intake form asks for little: the channel and what was
reported; the rest is optional, so that a report is recorded within a minute."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate, Membership, Role
from himaya.core.bounds import MAX_INTEGER
from himaya.core.forms import PersonChoiceField, StyledForm, VersionedForm
from himaya.operations.models import (
    AlertRule,
    Channel,
    CommunicationChannel,
    IncidentKind,
    IntakeClosure,
    TaskKind,
    TaskStatus,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def governorates() -> QuerySet[Governorate]:
    return Governorate.objects.order_by("name_en")


class IntakeForm(StyledForm):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE
    )
    summary = forms.CharField(
        label=_("What was reported"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    about_child = forms.BooleanField(label=_("About a child"), required=False)
    immediate_danger = forms.BooleanField(label=_("Immediate danger"), required=False)
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.none(), required=False
    )
    anonymous = forms.BooleanField(label=_("The reporter stays anonymous"), required=False)
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=200, required=False)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=40, required=False)
    person_details = forms.CharField(
        label=_("The person described (name, age, appearance)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    location = forms.CharField(label=_("Where the person is"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["governorate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = governorates()


class LinkIntakeForm(VersionedForm):
    case_code = forms.CharField(label=_("Case code"), max_length=20, required=False)
    screening_code = forms.CharField(label=_("Screening code"), max_length=20, required=False)
    incident_code = forms.CharField(label=_("Incident code"), max_length=20, required=False)


class CloseIntakeForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Closure reason"), choices=IntakeClosure.choices)


class IncidentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    title = forms.CharField(
        label=_("Short title (no names)"),
        max_length=200,
    )
    summary = forms.CharField(
        label=_("Details"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.none(), required=False
    )
    case_code = forms.CharField(label=_("Case code"), max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["governorate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = governorates()


class TaskForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    description = forms.CharField(label=_("What is asked (no names)"), max_length=300)
    due_at = forms.DateTimeField(
        label=_("Due by"), input_formats=[DATETIME_FORMAT], widget=DateTimeInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).order_by("name_en")


class CommunicationForm(StyledForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=CommunicationChannel.choices)
    counterpart = forms.ModelChoiceField(
        label=_("With"), queryset=Agency.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("What was said"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["counterpart"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).order_by("name_en")


class CloseIncidentForm(VersionedForm):
    note = forms.CharField(label=_("Closing note"), max_length=500, required=False)


class TaskUpdateForm(VersionedForm):
    status = forms.ChoiceField(
        label=_("New state"),
        choices=[
            (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS.label),
            (TaskStatus.DONE, TaskStatus.DONE.label),
            (TaskStatus.CANCELLED, TaskStatus.CANCELLED.label),
        ],
    )
    note = forms.CharField(label=_("Note (no names)"), max_length=500, required=False)

    def __init__(self, *args: Any, centre: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not centre:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS.label),
                (TaskStatus.DONE, TaskStatus.DONE.label),
            ]


class AcknowledgeForm(VersionedForm):
    pass


class AssignAlertForm(VersionedForm):
    assigned_to = PersonChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Membership.objects.filter(
            is_active=True, role__in=[Role.OPERATOR, Role.SUPERVISOR]
        ).values("user_id")
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=people, is_active=True).order_by(
            "first_name", "last_name", "username"
        )


class ResolveAlertForm(VersionedForm):
    note = forms.CharField(label=_("How it was resolved"), max_length=500)


class AlertQueueFilter(forms.Form):
    """The filters of the alert queue, read from the address: every value is checked, and
    a value that is not one of these is answered with 400 and the reason."""

    all = forms.ChoiceField(
        label=_("Every alert"), choices=[("", ""), ("0", ""), ("1", "")], required=False
    )
    rule = forms.ChoiceField(label=_("Rule"), choices=AlertRule.choices, required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=MAX_INTEGER, required=False)
