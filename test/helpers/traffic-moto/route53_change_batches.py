"""Route53 ChangeResourceRecordSets as AWS applies it, at moto's edge.

Proposed for test/testbed/moto/server.py (call install_route53_change_batches() in main()); until then
test/helpers/traffic-moto.ts runs the shared server.py with it installed.

moto 5.2.1 deviates from AWS in ways that defeat a delete-and-create compare-and-swap:
  * a DELETE is checked against moto's journal of past CREATE/UPSERTs (name, type, TTL, values), not
    against the current record: a stale Weight, or a TXT value replaced since, still deletes;
  * a DELETE with a SetIdentifier deletes every record set with that SetIdentifier in the zone, whatever
    its name or type;
  * a CREATE identical to any earlier CREATE in the journal fails "already exists" even when the same
    batch deleted the record first (so restoring earlier weights, i.e. a rollback, fails), while a CREATE
    of a set that exists with other values succeeds and leaves two sets with one SetIdentifier;
  * a DELETE of a missing record answers InvalidInput about missing TTL instead of "not found";
  * the batch is not atomic: it is applied change by change.
AWS validates every change against the zone as the earlier changes of the batch leave it, and applies
all of them or none, with InvalidChangeBatch naming each failed change.
"""

from __future__ import annotations

from typing import Any


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
