"""
Error reports (debug pages, e-mailed tracebacks, log handlers that format them) never carry what a
form posted, what a frame held or what a query string said: any of them may be a person's
decrypted name or address. Always on, development included, because development copies of real
data happen.
"""

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from ops.logging import without_query

# Request headers and server variables that repeat the query string (gunicorn adds RAW_URI, some
# servers REQUEST_URI; a Referer is the address of the page before, query included).
ADDRESSES_IN_META = ("RAW_URI", "REQUEST_URI", "HTTP_REFERER")


class BodylessExceptionReporterFilter(SafeExceptionReporterFilter):
    """What a request sent is named in a report, never shown: field and parameter names only."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        if "QUERY_STRING" in meta:
            meta["QUERY_STRING"] = self.cleansed_substitute if meta["QUERY_STRING"] else ""
        for key in ADDRESSES_IN_META:
            if isinstance(meta.get(key), str):
                meta[key] = without_query(meta[key])
        return meta


class QuerylessExceptionReporter(ExceptionReporter):
    """
    Django's report, with the request's address shown without its query string and the query's
    parameters by name only (the filter above cannot reach either: the reporter builds them).
    """

    def _get_raw_insecure_uri(self):
        return without_query(super()._get_raw_insecure_uri())

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            substitute = self.filter.cleansed_substitute
            data["request_GET_items"] = [(name, substitute) for name in self.request.GET]
        return data
