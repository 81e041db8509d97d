from django.views.debug import SafeExceptionReporterFilter


class BodylessExceptionReporterFilter(SafeExceptionReporterFilter):
    """
    Error reports (debug pages, e-mailed tracebacks, log handlers that format them) never carry
    what a form posted or what a frame held: either may be a person's decrypted name or address.
    Always on, development included, because development copies of real data happen.
    """

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
