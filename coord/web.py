"""The Flask application factory: one app per process, its collaborators in app.extensions["coord"]."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, g, request, send_from_directory
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect
from swagger_ui_bundle import swagger_ui_path

from coord import community, dashboard, workspace
from coord.api import audit, handoffs, health, imports, persons, reports, services, stream
from coord.api.errors import error_response, register_error_handlers
from coord.api.http import add_etag, coord
from coord.config import Config
from coord.wiring import Coord, open_coord

API_PREFIX = "/api/v1"
PUBLIC_PATHS = (f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs")
MAX_BODY_BYTES = 1024 * 1024
#: What the app's signing key (Flask's session: the workspace's CSRF tokens and messages) is derived for.
SECRET_KEY_INFO = b"coord flask secret key v1"


def create_app(config: Config | None = None, coord: Coord | None = None) -> Flask:
    app = Flask("coord")
    app.config.update(
        API_TITLE="coord",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served by this app, not a CDN: partners' networks may block CDNs.
        OPENAPI_SWAGGER_UI_URL=f"{API_PREFIX}/docs-assets/",
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    app.json.sort_keys = False  # fields in the order the representations list them
    app.extensions["coord"] = coord or open_coord(config or Config.from_env())
    app.config.update(
        SECRET_KEY=_secret_key(app.extensions["coord"].config),
        SESSION_COOKIE_NAME="coord_forms",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # Only the workspace's forms are checked (workspace.protect_forms): the API takes Bearer tokens, no
        # cookie, and the dashboard's sign-in checks where a form comes from (Sec-Fetch-Site).
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the form session; a page left open still posts
    )
    CSRFProtect(app)
    api = Api(
        app,
        spec_kwargs={
            "info": {"description": "By-name-list case coordination: persons, services, handoffs and reports."},
            "security": [{"bearer": []}],
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blp in (services.blp, persons.blp, handoffs.blp, reports.blp, stream.blp, audit.blp, imports.blp):
        api.register_blueprint(blp, url_prefix=API_PREFIX + blp.url_prefix)
    app.register_blueprint(health.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(community.bp)
    app.register_blueprint(workspace.bp)
    register_error_handlers(app)
    app.before_request(_authenticate)
    app.before_request(_refuse_unreadable_json)
    app.after_request(add_etag)
    app.after_request(_no_store)

    @app.get(f"{API_PREFIX}/docs-assets/<path:filename>")
    def docs_assets(filename: str):
        return send_from_directory(swagger_ui_path, filename)

    return app


def _secret_key(config: Config) -> bytes:
    """Derived from the master key: no new secret to set, and the same in every process and after restarts."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SECRET_KEY_INFO).derive(config.master_key.key)


def _authenticate():
    g.principal = None
    g.session_id = None  # the dashboard session the caller came with, if it came with one
    if not request.path.startswith(API_PREFIX + "/") or request.path.startswith(
        (*PUBLIC_PATHS, f"{API_PREFIX}/docs-assets/")
    ):
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        principal = coord().tokens.authenticate(token.strip())
    elif (
        request.method in ("GET", "HEAD")
        and "Authorization" not in request.headers
        and request.path in dashboard.SESSION_READS
    ):
        # The dashboard's session is good for the page's own reads only: no write, no other read rides on it.
        principal = dashboard.cookie_principal()
        g.session_id = dashboard.session_id() if principal else None
    else:
        principal = None
    if principal is None:
        return error_response(
            401, "a valid Bearer token is required", headers={"WWW-Authenticate": 'Bearer realm="coord"'}
        )
    g.principal = principal
    return None


def _refuse_unreadable_json():
    """What the request parser would crash on, a 400: Python's JSON parser recurses per level (a body nested
    thousands deep), and refuses an integer of more than 4,300 digits with a ValueError no parser expects."""
    if request.method in ("POST", "PATCH", "PUT") and request.path.startswith(API_PREFIX + "/"):
        try:
            json.loads(request.get_data(cache=True) or b"null")
        except RecursionError:
            return error_response(400, "the request body is nested too deeply")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None  # malformed JSON: the request parser answers it with its own message
        except ValueError:
            return error_response(400, "a number in the request body is too long")
    return None


def _no_store(response):
    # Responses may carry personal data: no shared or browser cache may keep them.
    if request.path.startswith(API_PREFIX + "/") and "docs" not in request.path:
        response.headers["Cache-Control"] = "no-store"
    return response
