#!/usr/bin/env python3
"""moto server plus the Auto Scaling lifecycle-action calls moto lacks.

moto 5.2.1 answers CompleteLifecycleAction and RecordLifecycleActionHeartbeat
with HTTP 500 NotImplemented. Our code must still send the real AWS SDK request,
so the missing operations are added here, at the emulator's edge:

* The two operations are registered as methods on moto's AutoScalingResponse.
  moto's server picks the service from the SigV4 credential scope
  (".../us-east-1/autoscaling/aws4_request"), hands the request to
  AutoScalingResponse.dispatch, and call_action() runs the method whose name
  is the snake_case form of the `Action` form field. So adding the methods is
  all that is needed: requests are parsed, errors and results are serialized
  by moto itself (awsQuery XML the SDK understands), nothing of moto is forked.
* moto never starts lifecycle actions, so a test registers pending ones via
  the JSON control API under /_harbormaster/, and reads back every call that
  arrived (successful or rejected) to assert what our code sent.

Run:  python3 server.py --port 5000 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import errno
import io
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

log = logging.getLogger("harbormaster.moto")

CONTROL_PREFIX = "/_harbormaster/"
DEFAULT_REGION = "us-east-1"
VALID_RESULTS = ("CONTINUE", "ABANDON")
# AWS: the global timeout is 100 x HeartbeatTimeout, capped at 48 hours.
MAX_GLOBAL_TIMEOUT_S = 172800


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class EdgeState:
    """Lifecycle actions and recorded calls. Guarded by one lock: the server is threaded."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.actions: dict[str, dict[str, Any]] = {}  # token -> action
        self.calls: list[dict[str, Any]] = []

    def clear(self) -> None:
        with self.lock:
            self.actions.clear()
            self.calls.clear()

    def expire_overdue(self, at: datetime) -> None:
        """Like AWS, a pending action past its timeout is no longer active (caller holds lock)."""
        for a in self.actions.values():
            if a["state"] == "pending" and at >= min(a["_expires"], a["_global_expires"]):
                a["state"] = "expired"

    @staticmethod
    def public(a: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in a.items() if not k.startswith("_")}
        out["expiresAt"] = iso(min(a["_expires"], a["_global_expires"]))
        out["globalExpiresAt"] = iso(a["_global_expires"])
        return out


STATE = EdgeState()


# --------------------------------------------------------------------------
# The two Auto Scaling operations, as moto response methods
# --------------------------------------------------------------------------

def _constraint_errors(operation: str, params: dict[str, Any]) -> list[str]:
    """AWS's model validation ("1 validation error detected: ..."), driven by
    botocore's service model so required members and lengths match AWS."""
    from moto.core.responses import get_service_model

    shape = get_service_model("autoscaling").operation_model(operation).input_shape
    errors = []
    for name, member in shape.members.items():
        where = name[0].lower() + name[1:]  # AWS reports members in lowerCamelCase
        value = params.get(name)
        if value is None:
            if name in shape.required_members:
                errors.append(f"Value null at '{where}' failed to satisfy constraint: Member must not be null")
            continue
        meta = member.metadata
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"Value '{value}' at '{where}' failed to satisfy constraint: "
                          f"Member must have length greater than or equal to {meta['min']}")
        elif "max" in meta and len(value) > meta["max"]:
            errors.append(f"Value '{value}' at '{where}' failed to satisfy constraint: "
                          f"Member must have length less than or equal to {meta['max']}")
        elif "pattern" in meta:
            try:
                ok = re.fullmatch(meta["pattern"], value) is not None
            except re.error:  # some AWS patterns use surrogate ranges Python cannot compile
                ok = True
            if not ok:
                errors.append(f"Value '{value}' at '{where}' failed to satisfy constraint: "
                              f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return errors


def _find_active_action(resp: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Validate group, hook and pending action the way AWS does; return the action (lock held)."""
    from moto.autoscaling.exceptions import ValidationError

    group, hook = params["AutoScalingGroupName"], params["LifecycleHookName"]
    token, instance_id = params.get("LifecycleActionToken"), params.get("InstanceId")
    backend = resp.autoscaling_backend
    if group not in backend.autoscaling_groups:
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{group}' not found")
    if f"{group}_{hook}" not in backend.lifecycle_hooks:  # moto's key for a hook
        raise ValidationError(f"No Lifecycle Hook found with name '{hook}' for group '{group}'")
    if not token and not instance_id:
        raise ValidationError("Either LifecycleActionToken or InstanceId must be specified")

    STATE.expire_overdue(now())
    for a in STATE.actions.values():
        if (a["state"] == "pending" and a["accountId"] == resp.current_account
                and a["region"] == resp.region and a["autoScalingGroupName"] == group
                and a["lifecycleHookName"] == hook
                and (not token or a["token"] == token)
                and (not instance_id or a["instanceId"] == instance_id)):
            return a
    if token:
        raise ValidationError(f"No active Lifecycle Action found with token {token}")
    raise ValidationError(f"No active Lifecycle Action found with instance ID {instance_id}")


def _handle(resp: Any, operation: str, apply: Any) -> Any:
    """Validate, apply and record one call. Errors are moto ServiceExceptions,
    which moto's call_action serializes as the awsQuery ErrorResponse (HTTP 400)."""
    from moto.core.exceptions import ServiceException
    from moto.core.responses import EmptyResult
    from moto.autoscaling.exceptions import ValidationError

    params = dict(resp.params)  # moto parsed the form body against the botocore model
    raw = {k: v[0] if isinstance(v, list) and len(v) == 1 else v
           for k, v in resp.querystring.items() if k not in ("Action", "Version")}
    call: dict[str, Any] = {
        "action": operation, "timestamp": iso(now()),
        "region": resp.region, "accountId": resp.current_account, "params": raw,
    }
    try:
        with STATE.lock:
            errors = _constraint_errors(operation, params)
            if errors:
                n = len(errors)
                raise ValidationError(f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors))
            result = params.get("LifecycleActionResult")
            if operation == "CompleteLifecycleAction" and result not in VALID_RESULTS:
                raise ValidationError(f"Invalid LifecycleActionResult '{result}': must be CONTINUE or ABANDON")
            apply(_find_active_action(resp, params), params)
        call.update(outcome="success", httpStatus=200, error=None)
        return EmptyResult()
    except ServiceException as e:
        call.update(outcome="error", httpStatus=400, error={"code": e.code, "message": e.message})
        raise
    except Exception as e:  # a bug in this edge: moto answers 500, still record it
        call.update(outcome="exception", httpStatus=500, error={"code": type(e).__name__, "message": str(e)})
        raise
    finally:
        with STATE.lock:
            call["seq"] = len(STATE.calls) + 1
            STATE.calls.append(call)
        log.info("%s %s -> %s%s", operation, json.dumps(raw, sort_keys=True), call["outcome"],
                 f" ({call['error']['message']})" if call["error"] else "")


def complete_lifecycle_action(self: Any) -> Any:
    def apply(action: dict[str, Any], params: dict[str, Any]) -> None:
        result = params["LifecycleActionResult"]  # already checked to be CONTINUE or ABANDON
        # Completing ends the action: a second complete fails like AWS ("No active ...").
        action.update(state="completed", result=result, completedAt=iso(now()))

    return _handle(self, "CompleteLifecycleAction", apply)


def record_lifecycle_action_heartbeat(self: Any) -> Any:
    def apply(action: dict[str, Any], _params: dict[str, Any]) -> None:
        t = now()
        action["_expires"] = t + timedelta(seconds=action["heartbeatTimeout"])
        action["heartbeatCount"] += 1
        action["lastHeartbeatAt"] = iso(t)

    return _handle(self, "RecordLifecycleActionHeartbeat", apply)


def install_autoscaling_operations() -> None:
    from moto.autoscaling.responses import AutoScalingResponse

    for fn in (complete_lifecycle_action, record_lifecycle_action_heartbeat):
        if fn.__name__ in vars(AutoScalingResponse):
            # A newer moto implements it: ours still wins, but say so, the pin may be stale.
            log.warning("moto already defines AutoScalingResponse.%s; overriding it", fn.__name__)
        setattr(AutoScalingResponse, fn.__name__, fn)


# --------------------------------------------------------------------------
# Route53: change batches validated against the zone and applied all-or-nothing, as AWS does
# (moto 5.2.1 checks DELETEs against a journal, deletes by SetIdentifier zone-wide, applies partially)
# --------------------------------------------------------------------------

def _norm(name: str) -> str:
    return name.lower().rstrip(".") + "."


def _values(records: Any) -> list[str]:
    return sorted(str(r["Value"] if isinstance(r, dict) else r) for r in (records or []))


def _same(current: Any, wanted: dict[str, Any]) -> bool:
    """A DELETE must name every value the record set holds (AWS: 'all the same values')."""

    def opt(v: Any) -> str | None:
        return None if v in (None, "", {}) else str(v)

    return (
        opt(current.ttl) == opt(wanted.get("TTL"))
        and opt(current.weight) == opt(wanted.get("Weight"))
        and _values(current.records) == _values(wanted.get("ResourceRecords"))
        and opt(current.alias_target) == opt(wanted.get("AliasTarget"))
        and opt(current.health_check_id) == opt(wanted.get("HealthCheckId"))
        and opt(current.region) == opt(wanted.get("Region"))
        and opt(current.failover) == opt(wanted.get("Failover"))
    )


def install_route53_change_batches() -> None:
    from moto.route53.exceptions import DnsNameInvalidForZone, InvalidActionValue, Route53ClientError
    from moto.route53.models import RecordSet, Route53Backend

    def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> None:
        zone = self.get_hosted_zone(zoneid)
        working = list(zone.rrsets)
        errors: list[str] = []
        for change in change_list:
            action, rr = change["Action"], dict(change["ResourceRecordSet"])
            if action not in ("CREATE", "UPSERT", "DELETE"):
                raise InvalidActionValue(action)
            name, set_id = _norm(rr["Name"]), rr.get("SetIdentifier")
            if not name.rstrip(".").endswith(zone.name.rstrip(".")):
                raise DnsNameInvalidForZone(name=rr["Name"], zone_name=zone.name)
            key = (name, rr["Type"], set_id)
            found = [r for r in working if (_norm(r.name), r.type, r.set_identifier) == key]
            label = f"[name='{name}', type='{rr['Type']}'" + (f", set-identifier='{set_id}'" if set_id else "") + "]"
            if action == "DELETE":
                if not found:
                    errors.append(f"Tried to delete resource record set {label} but it was not found")
                elif not _same(found[0], rr):
                    errors.append(
                        f"Tried to delete resource record set {label} but the values provided do not match the current values"
                    )
                else:
                    working.remove(found[0])
                continue
            if action == "CREATE" and found:
                errors.append(f"Tried to create resource record set {label} but it already exists")
                continue
            rr["Name"] = name
            if "ResourceRecords" in rr:
                rr["ResourceRecords"] = [r["Value"] for r in rr["ResourceRecords"]]
            for old in found:
                working.remove(old)
            working.append(RecordSet(rr))
        if errors:  # all or nothing, like AWS
            raise Route53ClientError("InvalidChangeBatch", "[" + ", ".join(errors) + "]")
        zone.rrsets = working
        for change in change_list:
            zone.rr_changes.append(change)

    Route53Backend.change_resource_record_sets = change_resource_record_sets


# --------------------------------------------------------------------------
# Control API (JSON) under /_harbormaster/
# --------------------------------------------------------------------------

def register_action(body: dict[str, Any]) -> tuple[int, Any]:
    from moto.autoscaling.models import autoscaling_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    missing = [k for k in ("autoScalingGroupName", "lifecycleHookName", "instanceId") if not body.get(k)]
    if missing:
        return 400, {"error": f"missing field(s): {', '.join(missing)}"}
    region = body.get("region") or DEFAULT_REGION
    account = body.get("accountId") or DEFAULT_ACCOUNT_ID
    group, hook_name = body["autoScalingGroupName"], body["lifecycleHookName"]
    token = body.get("token") or str(uuid.uuid4())
    if len(token) != 36:  # AWS tokens are UUIDs; the API rejects any other length
        return 400, {"error": "token must be 36 characters (a UUID)"}

    backend = autoscaling_backends[account][region]
    if group not in backend.autoscaling_groups:
        return 400, {"error": f"Auto Scaling group '{group}' does not exist in {account}/{region}"}
    hook = backend.lifecycle_hooks.get(f"{group}_{hook_name}")
    if hook is None:
        return 400, {"error": f"lifecycle hook '{hook_name}' does not exist on group '{group}'"}

    t = now()
    heartbeat = int(hook.heartbeat_timeout)
    action = {
        "token": token, "autoScalingGroupName": group, "lifecycleHookName": hook_name,
        "instanceId": body["instanceId"],
        "transition": body.get("transition") or hook.lifecycle_transition,
        "region": region, "accountId": account, "state": "pending",
        "heartbeatTimeout": heartbeat, "heartbeatCount": 0, "lastHeartbeatAt": None,
        "result": None, "completedAt": None, "createdAt": iso(t),
        "_expires": t + timedelta(seconds=heartbeat),
        "_global_expires": t + timedelta(seconds=min(100 * heartbeat, MAX_GLOBAL_TIMEOUT_S)),
    }
    with STATE.lock:
        if token in STATE.actions:
            return 409, {"error": f"token {token} already registered"}
        STATE.actions[token] = action
        return 201, EdgeState.public(action)


# Requests by query-protocol Action (EC2, Auto Scaling, SQS's query form): benchmarks count how many
# lookups a handler made, as CloudTrail would show them.
REQUESTS: dict[str, int] = {}


def count_action(environ: dict[str, Any]) -> None:
    from urllib.parse import parse_qs

    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    fields = parse_qs(environ.get("QUERY_STRING", ""))
    if not fields.get("Action") and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        fields = parse_qs(body.decode("utf-8", "replace"))
    action = (fields.get("Action") or [None])[0]
    if action:
        with STATE.lock:
            REQUESTS[action] = REQUESTS.get(action, 0) + 1


def reset_all() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    STATE.clear()
    with STATE.lock:
        REQUESTS.clear()
    moto_api_backend.reset()  # what POST /moto-api/reset does


class EdgeApp:
    """WSGI app: /_harbormaster/* is ours, everything else goes to moto's dispatcher."""

    def __init__(self, moto_app: Any) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self.control(environ, start_response)
        if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            STATE.clear()  # keep our state consistent with moto's when reset the moto way
        count_action(environ)
        return self.moto_app(environ, start_response)

    def control(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.wrappers import Request, Response

        req = Request(environ)
        route = (req.method, req.path[len(CONTROL_PREFIX):].rstrip("/"))
        status, payload = 404, {"error": f"no route {req.method} {req.path}"}
        try:
            if route == ("GET", "health"):
                status, payload = 200, {"ok": True}
            elif route == ("POST", "reset"):
                reset_all()
                status, payload = 200, {"ok": True}
            elif route == ("GET", "requests"):
                with STATE.lock:
                    payload = dict(REQUESTS)
                status = 200
            elif route == ("GET", "autoscaling/calls"):
                wanted = req.args.get("action")
                with STATE.lock:
                    payload = [dict(c) for c in STATE.calls if not wanted or c["action"] == wanted]
                status = 200
            elif route == ("GET", "autoscaling/lifecycle-actions"):
                wanted = req.args.get("state", "pending")
                with STATE.lock:
                    STATE.expire_overdue(now())
                    payload = [EdgeState.public(a) for a in STATE.actions.values()
                               if wanted == "all" or a["state"] == wanted]
                status = 200
            elif route == ("POST", "autoscaling/lifecycle-actions"):
                body = req.get_json(force=True, silent=True)
                if not isinstance(body, dict):
                    status, payload = 400, {"error": "body must be a JSON object"}
                else:
                    status, payload = register_action(body)
        except Exception as e:  # a broken control call must not look like an AWS answer
            log.exception("control %s %s failed", req.method, req.path)
            status, payload = 500, {"error": f"{type(e).__name__}: {e}"}
        return Response(json.dumps(payload), status=status, mimetype="application/json")(environ, start_response)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="moto server with Harbormaster's Auto Scaling edge")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # moto builds some URLs (e.g. SQS queue URLs) from MOTO_PORT, as moto_server sets it.
    os.environ.setdefault("MOTO_PORT", str(args.port))

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    install_autoscaling_operations()
    install_route53_change_batches()
    app = EdgeApp(DomainDispatcherApplication(create_backend_app))

    # Probe the port ourselves: werkzeug's own failure is a bare sys.exit(1).
    try:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((args.host, args.port))
    except OSError as e:
        reason = "port already in use" if e.errno == errno.EADDRINUSE else e.strerror
        print(f"harbormaster moto server: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 2
    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except (OSError, SystemExit):  # lost a race for the port after the probe
        print(f"harbormaster moto server: cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return 2

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %d, shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("serving on http://%s:%d (control API under %s)", args.host, server.server_port, CONTROL_PREFIX)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
