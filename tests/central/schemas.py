"""schemas.py - the request bodies of docs/central-api.yaml, checked by a small validator.

Python's standard library has no YAML and no JSON Schema, so the request schemas the centre
checks are restated here as plain dicts (only what requests need: types, required members,
no unknown members, enums, patterns, lengths, ranges). Keep them in step with the YAML: the
centre refuses unknown members so that a typo on the kiosk shows in the tests.

validate(schema, value) returns a list of {"path", "message"} (empty: valid), paths written as
the catalog checker writes them (`$.fields.phone`, `$.materials[0].pages`).
"""
import re

TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"

STR = {"type": "string"}
INT0 = {"type": "integer", "min": 0}
ID = {"type": "string", "pattern": r"^[a-z][a-z0-9_]{0,31}$"}
DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
TIME = {"type": "string", "pattern": TIMESTAMP}
REVISION = {"type": "string", "pattern": r"^[!-~]{1,64}$"}
LANGUAGE = {"type": "string", "enum": ["zh_CN", "en"]}
APP_NO = {"type": "string", "pattern": r"^BM([0-9]{6})?[0-9]{14}$"}
TOKEN = {"type": "string", "pattern": r"^[A-Za-z0-9_-]{22}$"}
SHA256 = {"type": "string", "pattern": r"^[0-9a-f]{64}$"}
DEVICE_CLASS = {"type": "string", "enum": ["id_reader", "receipt_printer", "doc_printer", "scanner",
                                           "barcode", "camera", "call_link"]}


def obj(props, required=(), additional=False, max_props=None):
    return {"type": "object", "props": props, "required": list(required),
            "additional": additional, "max_props": max_props}


def arr(items, min_items=0, max_items=None, unique=False):
    return {"type": "array", "items": items, "min_items": min_items, "max_items": max_items,
            "unique": unique}


APPLICATION = obj({
    "application_no": APP_NO,
    "service": ID,
    "catalog_revision": REVISION,
    "created_at": TIME,
    "language": LANGUAGE,
    "tracking_token": TOKEN,
    "applicant": obj({
        "identified_by": {"type": "string", "enum": ["id_card", "typed_number", "none"]},
        "name": {"type": "string", "max_len": 64},
        "id_number": {"type": "string", "pattern": r"^[0-9]{17}[0-9X]$|^[A-Z0-9]{9,18}$"},
        "card_type": {"type": "string", "enum": ["resident", "hmt_permit", "foreign_permanent"]},
        "gender": {"type": "string", "enum": ["male", "female"]},
        "nation": {"type": "string", "max_len": 32},
        "birth_date": DATE,
        "address": {"type": "string", "max_len": 200},
    }, ["identified_by"]),
    "fields": obj({}, additional={"type": "string", "max_len": 200}, max_props=64),
    "materials": arr(obj({"material": ID, "pages": {"type": "integer", "min": 1, "max": 20}},
                         ["material", "pages"]), max_items=32),
}, ["application_no", "service", "catalog_revision", "created_at", "language", "applicant",
    "fields", "materials"])

FILE_DECLARATION = obj({
    "media_type": {"type": "string", "enum": ["image/jpeg", "image/png", "application/pdf"]},
    "size": {"type": "integer", "min": 1, "max": 10485760},
    "sha256": SHA256,
}, ["media_type", "size", "sha256"])

SUBMIT = obj({}, max_props=0)

RATING = obj({
    "rated_at": TIME,
    "service": ID,
    "application_no": APP_NO,
    "score": {"type": "integer", "min": 1, "max": 5},
    "reasons": arr({"type": "string", "enum": ["easy", "fast", "clear_guide", "helpful_staff",
                                               "hard_to_use", "slow", "device_fault",
                                               "unclear_guide", "other"]},
                   max_items=8, unique=True),
    "language": LANGUAGE,
}, ["rated_at", "service", "score", "language"])

FEEDBACK = obj({
    "sent_at": TIME,
    "kind": {"type": "string", "enum": ["suggestion", "complaint", "praise", "device_problem"]},
    "service": ID,
    "text": {"type": "string", "min_len": 1, "max_len": 1000},
    "contact_phone": {"type": "string", "pattern": r"^1[0-9]{10}$"},
    "language": LANGUAGE,
}, ["sent_at", "kind", "text", "language"])

_STEPS = ["identify", "form", "materials", "review", "submit", "print", "rate", "guide"]
USAGE = obj({
    "hours": arr(obj({
        "hour": TIME,
        "sessions_without_service": INT0,
        "services": arr(obj({
            "service": ID,
            "starts": INT0,
            "completions": INT0,
            "abandonments": obj({s: INT0 for s in _STEPS}),
            "durations_s": obj({"count": INT0, "sum": INT0,
                                "buckets": arr(INT0, min_items=7, max_items=7)},
                               ["count", "sum", "buckets"]),
        }, ["service", "starts", "completions", "abandonments", "durations_s"]), max_items=512),
        "device_errors": arr(obj({
            "class": DEVICE_CLASS,
            "error": {"type": "string", "pattern": r"^BM_ERR_[A-Z_]{1,40}$"},
            "count": {"type": "integer", "min": 1},
        }, ["class", "error", "count"]), max_items=256),
    }, ["hour", "services"]), min_items=1, max_items=168),
}, ["hours"])

_HELD = obj({"revision": {"type": "string", "max_len": 64},
             "source": {"type": "string", "enum": ["current", "bundled", "none"]}},
            ["revision", "source"])
HEARTBEAT = obj({
    "sent_at": TIME,
    "version": {"type": "string", "max_len": 64},
    "uptime_s": INT0,
    "clock_skew_s": {"type": "integer"},
    "documents": obj({"catalog": _HELD, "notices": _HELD, "settings": _HELD}),
    "document_rejections": arr(obj({
        "kind": {"type": "string", "enum": ["catalog", "notices", "settings"]},
        "revision": {"type": "string", "max_len": 64},
        "reason": {"type": "string", "enum": ["signature_missing", "bad_signature", "unknown_key",
                                              "rollback", "invalid_document", "too_large"]},
        "at": TIME,
    }, ["kind", "reason", "at"]), max_items=16),
    "devices": arr(obj({
        "class": DEVICE_CLASS,
        "driver": {"type": "string", "max_len": 32},
        "device": {"type": "string", "enum": ["starting", "online", "offline", "power_off",
                                              "no_device", "hardware_error", "user_error", "busy"]},
        "error": {"type": "string", "pattern": r"^BM_(OK|ERR_[A-Z_]{1,40})$"},
        "fix": {"type": "string", "enum": ["none", "reset", "clear", "maintenance", "suspend"]},
        "detail": {"type": "string", "max_len": 200},
        "media": STR, "sam": STR, "paper": STR, "toner": STR,
        "cover_open": {"type": "boolean"},
        "cutter": STR, "flatbed": STR, "adf": STR,
        "receipt_counters": obj({k: INT0 for k in ["receipts", "paper_mm", "roll_mm", "avg_mm",
                                                   "receipts_left"]},
                                ["receipts", "paper_mm", "roll_mm", "avg_mm", "receipts_left"]),
    }, ["class", "driver", "device", "error", "fix"]), max_items=16),
    "outbox": obj({
        "depth": INT0, "oldest_age_s": INT0, "bytes": INT0, "cap_bytes": INT0,
        "dead_letters": INT0,
        "state": {"type": "string", "enum": ["ok", "full", "disk_full", "error"]},
    }, ["depth", "dead_letters", "state"]),
    "sync_paused": {"type": "boolean"},
    "pause_reason": {"type": "string", "max_len": 64},
    "last_sync_ok_at": TIME,
    "certificate_not_after": TIME,
    "disk": obj({"free_bytes": INT0, "total_bytes": INT0}, ["free_bytes", "total_bytes"]),
}, ["sent_at", "version", "uptime_s", "documents", "devices", "outbox", "sync_paused", "disk"])

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    # bool is an int in Python; JSON's true is not an integer.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def validate(schema, value, path="$", errors=None):
    errors = [] if errors is None else errors
    if len(errors) >= 50:  # the Problem's errors list holds at most 50
        return errors

    def err(msg):
        if len(errors) < 50:
            errors.append({"path": path, "message": msg})

    t = schema["type"]
    if not _TYPES[t](value):
        err(f"expected {'an' if t[0] in 'aeiou' else 'a'} {t}")
        return errors
    if "enum" in schema and value not in schema["enum"]:
        err("not one of " + ", ".join(map(str, schema["enum"])))
    if t == "string":
        if "pattern" in schema and not re.search(schema["pattern"], value):
            err("does not match " + schema["pattern"])
        if len(value) < schema.get("min_len", 0):
            err(f"shorter than {schema['min_len']} characters")
        if "max_len" in schema and len(value) > schema["max_len"]:
            err(f"longer than {schema['max_len']} characters")
    elif t == "integer":
        if "min" in schema and value < schema["min"]:
            err(f"less than {schema['min']}")
        if "max" in schema and value > schema["max"]:
            err(f"more than {schema['max']}")
    elif t == "array":
        if len(value) < schema["min_items"]:
            err(f"fewer than {schema['min_items']} items")
        if schema["max_items"] is not None and len(value) > schema["max_items"]:
            err(f"more than {schema['max_items']} items")
        if schema["unique"] and len(set(map(repr, value))) != len(value):
            err("items repeat")
        for i, item in enumerate(value):
            validate(schema["items"], item, f"{path}[{i}]", errors)
    elif t == "object":
        for name in schema["required"]:
            if name not in value:
                err(f"required member {name!r} missing")
        if schema["max_props"] is not None and len(value) > schema["max_props"]:
            err(f"more than {schema['max_props']} members")
        for name, member in value.items():
            sub = f"{path}.{name}"
            if name in schema["props"]:
                validate(schema["props"][name], member, sub, errors)
            elif schema["additional"]:
                # The only open object in requests is `fields`: its names are field ids.
                if re.search(ID["pattern"], name):
                    validate(schema["additional"], member, sub, errors)
                elif len(errors) < 50:
                    errors.append({"path": sub, "message": "not a field id"})
            elif len(errors) < 50:
                errors.append({"path": sub, "message": "unknown member"})
    return errors
