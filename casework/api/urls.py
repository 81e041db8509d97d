"""The casework API under /api/v1/. URL keywords are those of the web pages (case_ref, note_id…)."""

from rest_framework.routers import DefaultRouter

from . import plans
from .views import cases, checkins, people, records

app_name = "casework_api"

router = DefaultRouter()
router.register("persons", people.PersonViewSet, basename="person")
router.register("relationships", people.RelationshipViewSet, basename="relationship")
router.register("legal-statuses", people.LegalStatusRecordViewSet, basename="legal-status")
router.register("entitlements", people.EntitlementViewSet, basename="entitlement")
router.register("cases", cases.CaseViewSet, basename="case")
router.register("notes", records.CaseNoteViewSet, basename="note")
router.register("tasks", records.TaskViewSet, basename="task")
router.register("incidents", records.IncidentViewSet, basename="incident")
router.register("attachments", records.AttachmentViewSet, basename="attachment")
router.register("check-ins", checkins.CheckInScheduleViewSet, basename="check-in-schedule")
router.register("goals", plans.GoalViewSet, basename="goal")
router.register("plan-reviews", plans.PlanReviewViewSet, basename="plan-review")
router.register("closures", plans.CaseClosureViewSet, basename="closure")

urlpatterns = router.urls
