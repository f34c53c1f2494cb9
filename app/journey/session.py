"""Flask's signed session cookie, with one change: an altered cookie is noticed.

Flask drops a cookie whose signature does not match and starts a blank session,
so a journey would silently restart. Here the blank session is marked
`tampered`, and the journey answers with its "start again" page (400).
"""

from __future__ import annotations

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class JourneySession(SecureCookieSession):
    tampered = False


class JourneySessionInterface(SecureCookieSessionInterface):
    session_class = JourneySession

    def open_session(self, app, request):
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:  # most requests (the API, health checks): no serializer is needed
            return self.session_class()
        serializer = self.get_signing_serializer(app)
        try:
            # no max_age: a browser-session cookie; the journey's own clock ends idle answers
            return self.session_class(serializer.loads(value))
        except BadSignature:
            broken = self.session_class()
            broken.tampered = True
            return broken
