"""What every fake vendor shares: one wrapper that records the request, applies faults, answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.sandbox.faults import Fault, FaultPlan, RecordedRequest, Recorder

Handler = Callable[[Request, Any], Awaitable[Response]]


def error_json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


class FakeBase:
    def __init__(self, faults: FaultPlan, recorder: Recorder) -> None:
        self.faults = faults
        self.recorder = recorder

    def endpoint(self, op: str, fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Wrap a fake's handler: parse the body, inject latency, record, answer (fault or fake), note the status.

        The request is recorded before the fake changes any state, so a test that saw the effect
        (a message in a thread, a new host) also sees the request that caused it."""
        self.faults.known_ops.add(op)

        async def run(request: Request) -> Response:
            raw = await request.body()
            body: Any
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            fault, latency = self.faults.take(op)
            after = fault is not None and fault.after
            delay = latency + (fault.latency if fault and not after else 0.0)
            if delay:
                await asyncio.sleep(delay)
            index = self._record(op, request, body)
            if fault is not None and not after and fault.status is not None:
                response = _canned(fault)
            else:
                response = await fn(request, body)
            if fault is not None and after:  # the work is done; now the answer is lost on its way back
                if fault.latency:
                    await asyncio.sleep(fault.latency)
                if fault.status is not None:
                    response = _canned(fault)
            self.recorder.answered(index, response.status_code)
            return response

        return run

    def _record(self, op: str, request: Request, body: Any) -> int:
        return self.recorder.add(
            RecordedRequest(
                op=op,
                method=request.method,
                path=request.url.path,
                query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
                at=Recorder.now(),
            )
        )


def _canned(fault: Fault) -> Response:
    assert fault.status is not None
    if isinstance(fault.body, str):
        ctype = "text/html" if fault.body.lstrip().startswith("<") else "application/json"
        return Response(fault.body, status_code=fault.status, headers=fault.headers, media_type=ctype)
    return JSONResponse(fault.body if fault.body is not None else {}, status_code=fault.status,
                        headers=fault.headers)
