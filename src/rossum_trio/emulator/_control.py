"""The emulator's own control endpoints (``/_emulator/...``; admin token only, never faulted)."""

from __future__ import annotations

from dataclasses import fields

from ._faults import FaultError, Faults
from ._http import ApiError, Request, Response, empty_response, json_response
from ._store import State

__all__ = ["control_faults", "control_requests"]


def control_faults(st: State, req: Request) -> Response:
    """``GET`` the knobs; ``PATCH``/``POST`` set some; ``PUT`` resets, then sets (all or nothing:
    a bad value answers 400 naming the knob and changes nothing)."""
    if req.method in ("PATCH", "PUT", "POST"):
        changes = req.json_object()
        known = {f.name for f in fields(Faults)}
        unknown = sorted(k for k in changes if k not in known)
        if unknown:
            raise ApiError(400, {k: ["Unknown fault knob."] for k in unknown})
        staged = Faults() if req.method == "PUT" else Faults(**st.faults.to_dict())
        try:
            staged.update(**changes)
        except FaultError as exc:
            raise ApiError(400, {exc.knob: [str(exc)]}) from None
        st.faults.update(**staged.to_dict())
    return json_response(200, st.faults.to_dict())


def control_requests(st: State, req: Request) -> Response:
    """``GET`` the request log (oldest first); ``DELETE`` clears it."""
    if req.method == "DELETE":
        st.log.clear()
        return empty_response(204)
    return json_response(
        200,
        [
            {
                "method": x.method,
                "path": x.path,
                "query": x.query,
                "params": x.params,
                "status": x.status,
                "body_size": x.body_size,
                "json": x.json,
                "form": x.form,
                "files": [list(f) for f in x.files],
            }
            for x in st.log
        ],
    )
