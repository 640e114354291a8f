"""Seeds a fresh help-lms server through its own API for the fuzz run: an institution with
a manager, a tutor, an API client and a tutored cohort; a learner in it who has finished
the course (lessons, every quiz passed, a certificate); a programme target. Prints the
tokens and ids as shell `export` lines for schemathesis.toml.

Standard library only. Usage: seed.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD
"""

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE, ADMIN_EMAIL, ADMIN_PASSWORD = sys.argv[1:4]
COURSE = "international-cooperation-pre-trial-detention"
PASSWORD = "fuzz-seed-password-1"


def call(method, path, body=None, token=None, form=None, basic=None, expect=(200, 201)):
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as res:
            status, text = res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status not in expect:
        sys.exit(f"seed: {method} {path} answered {status}: {text}")
    return json.loads(text) if text else None


def sign_in(email, password=PASSWORD):
    return call("POST", "/api/v1/auth/login", {"email": email, "password": password})["access_token"]


def labels(attempt):
    """Option, item and side ids of an attempt's questions, by their text (ids differ per attempt)."""
    out = {}
    for q in attempt["questions"]:
        for group in ("options", "left", "right", "items"):
            for choice in q.get(group) or []:
                out[(q["key"], choice["id"])] = choice["text"]
    return out


def translate(value, key, old, new):
    """An answer given in one attempt's ids, in another's."""
    if isinstance(value, str) and (key, value) in old:
        return new[(key, old[(key, value)])]
    if isinstance(value, list):
        return [translate(v, key, old, new) for v in value]
    if isinstance(value, dict):
        return {translate(k, key, old, new): translate(v, key, old, new) for k, v in value.items()}
    return value


def activate(token):
    call("POST", "/api/v1/auth/activate", {"token": token, "password": PASSWORD})


admin = sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
inst = call("POST", "/api/v1/institutions", {"name": "Fuzz Judicial Academy", "country": "RO", "kind": "judicial_training"}, admin)
staff = {}
for role in ("nti_manager", "tutor"):
    email = f"{role}@fuzz.example.org"
    # The seed delivers the invitations itself: their links come in the answers.
    inv = call("POST", f"/api/v1/institutions/{inst['id']}/users?delivery=links",
               {"email": email, "name": f"Fuzz {role}", "role": role}, admin)
    activate(inv["activation_token"])
    staff[role] = {"id": inv["user"]["id"], "token": sign_in(email)}
manager = staff["nti_manager"]["token"]

client = call("POST", f"/api/v1/institutions/{inst['id']}/clients", {"name": "Fuzz HR system"}, manager)
client_token = call("POST", "/api/v1/auth/token", form={"grant_type": "client_credentials"},
                    basic=f"{client['id']}:{client['client_secret']}")["access_token"]

cohort = call("POST", "/api/v1/cohorts", {
    "course": COURSE, "language": "en", "name": "Fuzz cohort 2027", "starts_on": "2027-01-11",
    "ends_on": "2027-04-30", "capacity": 100, "tutor_ids": [staff["tutor"]["id"]]}, manager)
rows = [{"email": f"learner{i}@fuzz.example.org", "given_name": "Ana", "family_name": f"Popescu {i}",
         "profession": "judge", "country": "RO"} for i in range(3)]
result = call("POST", f"/api/v1/cohorts/{cohort['id']}/enrolments?delivery=links", rows, manager)
first = result["rows"][0]
activate(first["activation_token"])
learner = sign_in(rows[0]["email"])
enrolment = first["enrolment_id"]
spare_enrolment = result["rows"][2]["enrolment_id"]

# The learner reads every lesson and passes every quiz at the first try, with the answers
# that an admin's review of a second learner's attempt shows (admins see every answer key).
scout_row = result["rows"][1]
activate(scout_row["activation_token"])
scout = sign_in(rows[1]["email"])
outline = call("GET", f"/api/v1/enrolments/{enrolment}", token=learner)
lesson = outline["modules"][0]["lessons"][0]["id"]
quiz = attempt = None
for module in outline["modules"]:
    for l in module["lessons"]:
        call("PUT", f"/api/v1/enrolments/{enrolment}/lessons/{l['id']}/progress",
             {"status": "completed", "time_spent_seconds": 300}, learner)
    if module.get("quiz"):
        quiz = module["quiz"]["id"]
        trial = call("POST", f"/api/v1/enrolments/{scout_row['enrolment_id']}/quizzes/{quiz}/attempts",
                     token=scout)
        call("POST", f"/api/v1/attempts/{trial['id']}/submit", token=scout)
        review = call("GET", f"/api/v1/attempts/{trial['id']}", token=admin)
        retry = call("POST", f"/api/v1/enrolments/{enrolment}/quizzes/{quiz}/attempts", token=learner)
        old = labels(review)
        new = {(k, text): i for (k, i), text in labels(retry).items()}
        answers = {q["key"]: translate(q["correct_response"], q["key"], old, new)
                   for q in review["result"]["questions"]}
        graded = call("POST", f"/api/v1/attempts/{retry['id']}/submit", {"responses": answers}, learner)
        if not graded["result"]["passed"]:
            sys.exit(f"seed: quiz {quiz} not passed with the reviewed answers")
        attempt = retry["id"]
certificate = call("GET", f"/api/v1/enrolments/{enrolment}/certificate", token=learner)

# An open attempt of the learner's, in a self-study course, for autosave and submit.
study = call("POST", "/api/v1/enrolments", {"course": "radicalisation-prevention-prison-probation"}, learner)
study_outline = call("GET", f"/api/v1/enrolments/{study['id']}", token=learner)
study_quiz = next(m["quiz"]["id"] for m in study_outline["modules"] if m.get("quiz"))
open_attempt = call("POST", f"/api/v1/enrolments/{study['id']}/quizzes/{study_quiz}/attempts",
                    token=learner)["id"]
target = call("POST", "/api/v1/stats/targets",
              {"name": "Judges completing any course, 2027", "metric": "completed", "target": 300}, admin)

# Spares for the operations that close, withdraw, revoke, archive or delete.
spare_target = call("POST", "/api/v1/stats/targets",
                    {"name": "Prosecutors enrolled, 2027", "metric": "enrolled", "target": 100}, admin)
spare_client = call("POST", f"/api/v1/institutions/{inst['id']}/clients", {"name": "Spare client"}, manager)
spare_cohort = call("POST", "/api/v1/cohorts", {
    "course": COURSE, "language": "fr", "name": "Spare cohort", "starts_on": "2027-02-01",
    "ends_on": "2027-05-31", "capacity": 20}, manager)

values = {
    "ADMIN_TOKEN": admin,
    "MANAGER_TOKEN": manager,
    "CLIENT_TOKEN": client_token,
    "TUTOR_TOKEN": staff["tutor"]["token"],
    "LEARNER_TOKEN": learner,
    "INSTITUTION_ID": inst["id"],
    "CLIENT_ID": client["id"],
    "COHORT_ID": cohort["id"],
    "ENROLMENT_ID": enrolment,
    "LESSON_ID": lesson,
    "QUIZ_ID": quiz,
    "ATTEMPT_ID": attempt,
    "OPEN_ATTEMPT_ID": open_attempt,
    "CERTIFICATE_CODE": certificate["code"],
    "TARGET_ID": target["id"],
    "SPARE_TARGET_ID": spare_target["id"],
    "SPARE_CLIENT_ID": spare_client["id"],
    "SPARE_COHORT_ID": spare_cohort["id"],
    "SPARE_ENROLMENT_ID": spare_enrolment,
    "SPARE_COURSE_SLUG": "evidence-counter-terrorism",
    "COURSE_SLUG": COURSE,
}
for k, v in values.items():
    print(f"export FUZZ_{k}={v}")
