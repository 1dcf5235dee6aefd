"""JSON API of spreadsheets in: upload a filled template to check it (and import it when
asked), read an upload's report, confirm a checked upload, download the template."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.core.errors import Invalid
from himaya.exchange import sheets
from himaya.exchange.sheet_actions import (
    OUTCOME_LABELS,
    confirm_sheet_import,
    upload_sheet,
)
from himaya.exchange.sheet_models import SheetImport
from himaya.exchange.sheet_selectors import (
    get_sheet_import_or_404,
    importing_agencies,
    may_import,
)


class SheetUploadIn(serializers.Serializer[Any]):
    file = serializers.FileField()
    agency = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="The code of the importing agency; needed when the user has several.",
    )
    import_rows = serializers.BooleanField(
        default=False,
        help_text="false: check only (the upload can be confirmed later); true: import the "
        "rows as soon as they are checked.",
    )


class SheetLineOut(serializers.Serializer[Any]):
    line = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=list(OUTCOME_LABELS))
    outcome_label = serializers.CharField()
    reason = serializers.CharField()
    survivor = serializers.CharField(required=False)
    case = serializers.CharField(required=False)
    existing = serializers.ListField(child=serializers.CharField(), required=False)


class SheetImportOut(serializers.ModelSerializer[SheetImport]):
    agency = serializers.CharField(source="agency.code")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    report = serializers.SerializerMethodField()

    class Meta:
        model = SheetImport
        fields = [
            "code",
            "agency",
            "uploaded_by",
            "file_name",
            "status",
            "created_at",
            "imported_at",
            "rows_read",
            "rows_ready",
            "rows_imported",
            "rows_already_present",
            "rows_duplicate",
            "rows_refused",
            "rows_not_attempted",
            "rows_done",
            "report",
        ]

    @extend_schema_field(SheetLineOut(many=True))
    def get_report(self, batch: SheetImport) -> list[dict[str, Any]]:
        return [
            {**entry, "outcome_label": str(OUTCOME_LABELS.get(entry["outcome"], ""))}
            for entry in batch.report
        ]


def _importer(request: Request) -> Any:
    user = acting_user(request)
    if not may_import(user):
        raise PermissionDenied
    return user


class SheetUploadApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="exchange_sheet_upload",
        request={"multipart/form-data": SheetUploadIn},
        responses={202: SheetImportOut},
    )
    def post(self, request: Request) -> Response:
        """Upload a filled template (field ``file``). A file that is not the template is
        refused at once (400). Otherwise the answer (202) is the upload in status
        ``checking``: the task queue checks every row with the rules of registration and
        case opening, and reports each with its line and reason; read the upload at its
        address until its status is ``previewed`` (then confirm it) or, with
        ``import_rows`` true, ``imported``. ``rows_done`` counts the rows done so far.
        Case workers and supervisors of the importing agency."""
        user = _importer(request)
        given = SheetUploadIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        agencies = importing_agencies(user)
        if data["agency"]:
            agency = agencies.filter(code=data["agency"]).first()
        else:
            agency = agencies.first() if len(agencies) == 1 else None
        if agency is None:
            raise Invalid(_("Choose one of your agencies."), field="agency")
        upload = data["file"]
        if upload.size > sheets.MAX_UPLOAD_BYTES:
            raise Invalid(
                _("The file is larger than %(size)s MB: split it into smaller files.")
                % {"size": sheets.MAX_UPLOAD_BYTES // (1024 * 1024)},
                field="file",
            )
        batch = upload_sheet(
            by=user,
            agency=agency,
            file_name=upload.name or "",
            content=upload.read(),
            then_import=data["import_rows"],
        )
        return Response(SheetImportOut(batch).data, status=202)


class SheetImportApi(APIView):
    @extend_schema(operation_id="exchange_sheet_detail", responses={200: SheetImportOut})
    def get(self, request: Request, code: str) -> Response:
        """An upload and its report by line (uploads of the user's agencies only)."""
        user = _importer(request)
        return Response(SheetImportOut(get_sheet_import_or_404(user, code)).data)


class SheetConfirmApi(APIView):
    @extend_schema(
        operation_id="exchange_sheet_confirm", request=None, responses={202: SheetImportOut}
    )
    def post(self, request: Request, code: str) -> Response:
        """Start the import of a checked upload (its uploader only, once): the answer (202)
        is the upload in status ``importing``, imported by the task queue; read it at its
        address until its status is ``imported``. 409 when it was already imported, or
        cannot be (still being checked, expired, stopped)."""
        user = _importer(request)
        batch = confirm_sheet_import(batch=get_sheet_import_or_404(user, code), by=user)
        return Response(SheetImportOut(batch).data, status=202)


class SheetTemplateApi(APIView):
    @extend_schema(
        operation_id="exchange_sheet_template",
        responses={(200, sheets.XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request) -> HttpResponse:
        """The XLSX template of survivors and cases."""
        _importer(request)
        response = HttpResponse(sheets.template_bytes(), content_type=sheets.XLSX)
        response["Content-Disposition"] = f'attachment; filename="{sheets.FILENAME}"'
        return response
