from django import forms
from django.utils.translation import gettext_lazy as _

MAX_VERSION = 2_147_483_647


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)


class MergeForm(VersionForm):
    keep = forms.CharField(label=_("Survivor to keep"), max_length=20)


class SettingsForm(VersionForm):
    review_threshold = forms.FloatField(
        label=_("Review threshold"),
        min_value=0.01,
        max_value=0.99,
        help_text=_("Pairs scoring at or above it wait for a supervisor's review."),
    )
    auto_merge_enabled = forms.BooleanField(label=_("Merge automatically"), required=False)
    auto_merge_threshold = forms.FloatField(
        label=_("Automatic merge threshold"),
        min_value=0.99,
        max_value=1,
        help_text=_("Pairs scoring at or above it are merged without review, when switched on."),
    )
