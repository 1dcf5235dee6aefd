"""How form widgets are written.

Django ships each of its form and widget templates twice, for its own template engine and
for Jinja2, with the same markup. Jinja2 compiles a template to Python and writes a widget
several times faster, so the pages' forms use those copies; a template that exists only
for Django's engine (the admin's widgets, a library's) is written by that engine.
"""

from typing import Any

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist


class FormRenderer(Jinja2):
    """Jinja2's copy of a form template where Django has one, Django's engine otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self._django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
