"""Transport security: security headers, WebSocket origin and role checks, denial auditing, limits, CSRF.

`app.security.stack.install(app, settings, limiters)` adds the middleware. This package imports nothing on its
own, so that `app.auth` can use its parts (credentials, csrf) without a cycle through the middleware.
"""
