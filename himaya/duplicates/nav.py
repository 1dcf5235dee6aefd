from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.audit.labels import register_actions
from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="likely_duplicates",
        label=_("Likely duplicates"),
        url_name="duplicates:queue",
        permission="duplicates.review",
        description=_(
            "Compare survivors that may be one person, across agencies and scripts; merge "
            "them or record that they are different people."
        ),
        order=22,
    ),
    NavItem(
        key="duplicate_settings",
        label=_("Duplicate detection settings"),
        url_name="duplicates:settings",
        permission="duplicates.configure",
        description=_("Review threshold and automatic merging of duplicate survivors."),
        order=95,
    ),
)

register_actions(
    {
        "duplicates.search_run": pgettext_lazy("audit trail", "Registry searched for duplicates"),
        "duplicates.merged": pgettext_lazy("audit trail", "Duplicate survivors merged"),
        "duplicates.merge_undone": pgettext_lazy("audit trail", "Merge of survivors undone"),
        "duplicates.marked_distinct": pgettext_lazy(
            "audit trail", "Survivors recorded as different people"
        ),
        "duplicates.pair_viewed": pgettext_lazy("audit trail", "Likely duplicates compared"),
        "duplicates.likely_matches_checked": pgettext_lazy(
            "audit trail", "Likely matches checked at registration"
        ),
        "duplicates.settings_changed": pgettext_lazy(
            "audit trail", "Duplicate detection settings changed"
        ),
    }
)
