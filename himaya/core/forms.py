"""What every form of the pages shares: Bootstrap classes, direction of free text, the
hidden version of an edited record, and the way a refused action shows on the form."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himaya.core.bounds import MAX_INTEGER
from himaya.core.errors import DomainError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget; ``dir="auto"`` on free text."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(
            widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput
        ):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.TextInput | forms.Textarea):
            widget.attrs.setdefault("dir", "auto")


def person_label(user: Any) -> str:
    """A person as a list of choices names them: the full name with the username, which
    tells apart two people of the same name; the username alone when no name is held."""
    username = user.get_username()
    full = user.get_full_name()
    return f"{full} ({username})" if full else username


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice among users, each named by ``person_label`` rather than the username."""

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class StyledMixin:
    """Styles the widgets, and marks the fields in error for assistive technology too."""

    fields: dict[str, forms.Field]
    errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)  # type: ignore[arg-type]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class StyledForm(StyledMixin, forms.Form):
    pass


class VersionedForm(StyledForm):
    """A form that edits a record: it carries the version the record was read at."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=MAX_INTEGER,
        error_messages={"invalid": _("The record's version is not valid: reload the page.")},
    )


def show_refusal(
    error: DomainError, *, form: forms.BaseForm | None = None, request: HttpRequest | None = None
) -> None:
    """A refused action, shown where the user looks: on the field at fault, on the form,
    or as a message at the top of the page."""
    if form is not None:
        placed = False
        for name, field_messages in error.errors.items():
            if name in form.fields:
                for message in field_messages:
                    form.add_error(name, str(message))
                placed = True
        if not placed:
            form.add_error(None, str(error.message))
        return
    if request is not None:
        messages.error(request, str(error.message))
