"""/services: the partnership's service catalogue."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from coord.api.http import POST_HEADERS, caller, coord, idempotent
from coord.api.representations import render_service, service_view, tagged
from coord.api.schemas import ServiceCreateSchema, ServiceQuerySchema, ServiceSchema

blp = Blueprint("services", __name__, url_prefix="/services", description="The service catalogue")


@blp.route("")
class Services(MethodView):
    @blp.arguments(ServiceQuerySchema, location="query")
    @blp.response(200, ServiceSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """List services (filters: stage, agency)"""
        return coord().service.list_services(caller(), **query)

    @blp.arguments(ServiceCreateSchema)
    @blp.response(201, ServiceSchema)
    @blp.doc(parameters=POST_HEADERS)
    @idempotent("service", lambda service_id, version: render_service(caller(), service_id, version))
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a service (case managers: for their own agency)"""
        service = coord().service.register_service(caller(), **data)
        return tagged(service_view(service))
