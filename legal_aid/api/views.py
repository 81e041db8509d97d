"""
The advocacy documents API, on the same services as the web pages. Every lookup starts from
`AdvocacyDocument.objects.visible_to(request.user)`, so another team's document is a 404.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..downloads import DOCX, file_response
from ..models import AdvocacyDocument
from .serializers import AdvocacyDocumentSerializer, DocumentRequestSerializer


class AdvocacyDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = AdvocacyDocumentSerializer
    lookup_field = "pk"
    lookup_url_kwarg = "document_id"

    def get_queryset(self):
        return (
            AdvocacyDocument.objects.visible_to(self.request.user)
            .select_related("case", "subject", "team", "requested_by", "approved_by")
            .order_by("-requested_at", "-version")
        )

    def _run(self, action, **kwargs):
        # What the service refuses is answered by the API's one handler (casework.api.errors).
        return action(actor=self.request.user, **kwargs)

    @extend_schema(
        request=DocumentRequestSerializer,
        responses={202: AdvocacyDocumentSerializer, 400: OpenApiResponse(description="Invalid")},
    )
    def create(self, request):
        """Queue a document; poll it until `status` is ready, then download it."""
        incoming = DocumentRequestSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        document = self._run(services.document_request, **incoming.validated_data)
        return Response(self.get_serializer(document).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: AdvocacyDocumentSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, document_id=None):
        document = self._run(services.document_approve, document=self.get_object())
        return Response(self.get_serializer(document).data)

    @extend_schema(request=None, responses={202: AdvocacyDocumentSerializer})
    @action(detail=True, methods=["post"])
    def regenerate(self, request, document_id=None):
        document = self._run(services.document_regenerate, document=self.get_object())
        return Response(self.get_serializer(document).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: AdvocacyDocumentSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, document_id=None):
        document = self._run(services.document_retry, document=self.get_object())
        return Response(self.get_serializer(document).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            410: OpenApiResponse(description="Withdrawn: someone it named was erased."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, document_id=None):
        """The PDF (no-store); 403 until approved when it names someone, and that is audited."""
        return self._download(request, services.FileFormat.PDF)

    @extend_schema(
        responses={
            (200, DOCX): OpenApiTypes.BINARY,
            410: OpenApiResponse(description="Withdrawn: someone it named was erased."),
        }
    )
    @action(detail=True, methods=["get"], url_path="download/docx")
    def download_docx(self, request, document_id=None):
        """The Word version, made from the same content as the PDF, under the same rules."""
        return self._download(request, services.FileFormat.DOCX)

    def _download(self, request, file_format: str):
        document = self.get_object()
        try:
            content = services.document_download(
                document=document, actor=request.user, request=request, file_format=file_format
            )
        except services.DocumentNotApproved as error:
            # Answered, not raised: DRF would roll back the refusal's audit event.
            return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
        except services.DocumentWithdrawn as error:
            return Response({"detail": str(error)}, status=status.HTTP_410_GONE)
        except DjangoValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return file_response(document, content, file_format)
