"""Schemathesis hooks for test/fuzz.test.ts, which loads them through SCHEMATHESIS_HOOKS.

A request that fits the document can still break rules a JSON Schema cannot state: the prison must be in the
rule book, the slots open (for a visit or a held place), the lead visitor an adult, a decision's slot one the visitor asked for, a rule file
valid YAML. Left alone, the fuzzer's valid requests all end in 422 and never reach the workflow. These hooks
bend only bodies generated valid, and only the fields those rules judge, to facts the test passes in as JSON
(from the same rule book and calendar the service uses); names, text, e-mail addresses and the rest stay fuzzed.

Every choice comes from a hash of the generated values (or, for decisions, the order cases are sent in), not
from Python's salted hash() or a fresh random source, so that one seed gives one run.
"""

import copy
import hashlib
import json
import os
import random
import re
from datetime import date, timedelta
from itertools import count

import schemathesis
from schemathesis.core.parameters import ParameterLocation

# Bookable prisons: id, limits and the slots open today.
PRISONS = json.loads(os.environ["FUZZ_PRISONS"])
# Every prison in the rule book, with the text of its rule file, for the policy preview.
RULE_BOOK = json.loads(os.environ["FUZZ_RULE_BOOK"])
# Requested visits set aside for the fuzzer's decisions: reference, slot options, number of visitors.
DECIDABLE = json.loads(os.environ["FUZZ_DECIDABLE"])
# Prison numbers the fake prisoner service knows, so that some requests meet a record and its rules.
PRISONERS = json.loads(os.environ["FUZZ_PRISONERS"])
TODAY = date.fromisoformat(os.environ["FUZZ_TODAY"])

# The API's own test for a phone number (api/schemas.ts), after dropping the separators it allows.
PHONE = re.compile(r"(\+44|0)[0-9]{9,10}", re.ASCII)
decisions = count()


def chooser(value):
    """A random source seeded by the generated value, so the same value always makes the same choices."""
    text = json.dumps(value, sort_keys=True, default=str)
    return random.Random(hashlib.sha256(text.encode()).digest())


def age(year, month, day):
    return TODAY.year - year - (1 if (TODAY.month, TODAY.day) < (month, day) else 0)


def born(date_of_birth, youngest, oldest):
    """The generated date of birth if it gives an age in range, else the same day of the year in a year that does."""
    year, month, day = (int(part) for part in date_of_birth.split("-"))
    if youngest <= age(year, month, day) <= oldest:
        return date_of_birth
    # One year earlier than TODAY.year - target: the age is target, or target + 1 once the birthday has passed.
    target = youngest + year % max(oldest - youngest, 1)
    year = TODAY.year - target - 1
    if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return f"{year:04d}-{month:02d}-{day:02d}"


def is_adult(date_of_birth, adult_age):
    year, month, day = (int(part) for part in date_of_birth.split("-"))
    return age(year, month, day) >= adult_age


def visit_request(body):
    pick = chooser(body)
    prison = pick.choice(PRISONS)
    body["prisonId"] = prison["id"]

    prisoner = body["prisoner"]
    prisoner["dateOfBirth"] = born(prisoner["dateOfBirth"], 0, 119)
    # A third meet a record the fake prisoner service holds; the rest a well-formed number it does not know.
    if pick.random() < 1 / 3:
        prisoner["number"] = pick.choice(PRISONERS)
    else:
        first, *last = (pick.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
        prisoner["number"] = f"{first}{pick.randrange(10_000):04d}{''.join(last)}"

    visitors = body["visitors"][: min(6, prison["maxVisitors"])]
    visitors[0]["dateOfBirth"] = born(visitors[0]["dateOfBirth"], 18, 119)
    for visitor in visitors[1:]:
        visitor["dateOfBirth"] = born(visitor["dateOfBirth"], 0, 119)
    # Too many adults: the last ones become children, never the lead visitor.
    adults = sum(is_adult(visitor["dateOfBirth"], prison["adultAge"]) for visitor in visitors)
    for visitor in reversed(visitors[1:]):
        if adults <= prison["maxAdults"]:
            break
        if is_adult(visitor["dateOfBirth"], prison["adultAge"]):
            visitor["dateOfBirth"] = born(visitor["dateOfBirth"], 0, prison["adultAge"] - 1)
            adults -= 1
    body["visitors"] = visitors

    wanted = 1 if prison["instant"] else len(body["slotOptions"])
    body["slotOptions"] = pick.sample(prison["slots"], min(wanted, len(prison["slots"])))

    phone = body["contact"]["phone"]
    texted = body["contact"].get("notifyBy") in ("text", "both")
    digits = re.sub(r"[ ()-]", "", phone)
    # Texts go to a UK mobile only: a visitor who asks for them gives one.
    if not PHONE.fullmatch(digits) or (texted and not re.fullmatch(r"(\+447|07)\d{9}", digits)):
        body["contact"]["phone"] = f"07700 {pick.randrange(1_000_000):06d}"

    # "Something else" needs its words.
    support = body.get("support")
    if support and "other" in support.get("needs", []) and not (support.get("details") or "").strip():
        support["details"] = "A seat near the door"


def idempotency_key(headers, body):
    """A key sent again with another body is refused (422): the key follows the body, so the same body keeps it."""
    for name, key in headers.items():
        if name.lower() == "idempotency-key":
            digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
            return {**headers, name: f"{key[:200]}.{digest}"}
    return headers


def decision(body, path_parameters):
    # Each case decides the next visit set aside; once all are decided, the rest are answered 409.
    visit = DECIDABLE[next(decisions) % len(DECIDABLE)]
    path_parameters["reference"] = visit["reference"]
    if body["outcome"] == "accept":
        body["slot"] = chooser(body["slot"]).choice(visit["slotOptions"])
        for outcome in body.get("visitors", []):
            outcome["index"] %= visit["visitors"]
    elif "other" in body["reasons"] and not body.get("detail", "").strip():
        # The API asks for words when the reason is "other", which the document's oneOf cannot say.
        body["detail"] = f"{body.get('detail', '')[:480]} Fuzzed reason".strip()


def policy_preview(body):
    pick = chooser(body)
    if "ruleFile" in body:
        body["ruleFile"] = pick.choice(RULE_BOOK)["ruleFile"]
    if "prisonId" in body:
        body["prisonId"] = pick.choice(RULE_BOOK)["id"]


def place_hold(body):
    """A hold asks for a slot offered today by a prison that books at once and holds places."""
    pick = chooser(body)
    prison = pick.choice([prison for prison in PRISONS if prison["slots"] and prison["holds"]])
    body["prisonId"] = prison["id"]
    body["slot"] = pick.choice(prison["slots"])


def performance_period(query):
    """A period the figures are worked out for: `to` from 0 to 30 days after `from` (at most 366 are allowed; a
    short one keeps the run quick), so a valid query is one the service answers."""
    try:
        start = date.fromisoformat(query["from"])
    except (KeyError, TypeError, ValueError):
        return query
    days = chooser(query).randrange(31)
    query["to"] = (start + timedelta(days=min(days, (date.max - start).days))).isoformat()
    return query


def blocked_date(body):
    """A date to block that is not past, beyond every prison's booking window (at most 28 days), so that no visit
    the fuzzer asks for meets it; the whole day, as whether a session is one of the day's is the calendar's to say."""
    body["date"] = (TODAY + timedelta(days=60 + chooser(body).randrange(300))).isoformat()
    body.pop("session", None)


@schemathesis.hook
def before_call(context, case, kwargs):
    """Bends a case whose body was generated valid so that the service's own rules accept it too.

    Here rather than in map_case: only before_call comes after the configured parameters and the stateful phase's
    links have their say (a link can put another prison into a body whose slots were chosen for the first).
    """
    meta = case.meta
    label = f"{case.method.upper()} {case.operation.path}"
    if label == "GET /api/staff/performance/assisted-digital" and meta is not None:
        if not meta.is_negative_at(ParameterLocation.QUERY) and isinstance(case.query, dict):
            case.query = performance_period(dict(case.query))
        return
    if meta is None or meta.is_negative_at(ParameterLocation.BODY) or not isinstance(case.body, dict):
        return
    positive = meta.generation.mode.is_positive
    # Copies: generated cases can share nested values, and an edit in place would reach the others.
    body = copy.deepcopy(case.body)
    if label == "POST /api/visits":
        visit_request(body)
        if positive and case.headers:
            case.headers = idempotency_key(dict(case.headers), body)
    elif label == "POST /api/staff/visits/{reference}/decision" and positive:
        # Only whole valid cases move to a visit set aside: a negative one keeps its own, to be refused.
        path_parameters = dict(case.path_parameters or {})
        decision(body, path_parameters)
        case.path_parameters = path_parameters
    elif label == "POST /api/policy/preview":
        policy_preview(body)
    elif label == "POST /api/holds":
        place_hold(body)
    elif label == "POST /api/staff/prisons/{prisonId}/blocked-dates" and positive:
        blocked_date(body)
    else:
        return
    case.body = body

