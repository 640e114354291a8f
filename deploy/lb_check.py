"""Drives two help-lms instances behind a balancer (see two-instances.sh) and checks that they
behave as one system. Standard library only.

1. Publication: a course archived through instance A is gone from instance B's catalogue
   within B's HELP_CONTENT_RECHECK_MS (one second by default; each instance serves published
   content from memory and compares its catalogue with the database that often).
2. Throttling: wrong passwords for one account, sent to A and B in turn, lock it after the
   per-account limit counted across both.
3. Idempotency: a bulk enrolment sent to A and then, with the same Idempotency-Key, to B is
   applied once and answered the same.
4. Mail: the invitations of a bulk enrolment are each mailed once, by whichever instance.
5. The journey through the balancer: learners record progress and take a quiz while A is
   killed (SIGKILL) in the middle. B keeps serving: requests sent 3 s after the kill (the
   balancer notices within about one) all succeed, and every write that was answered 2xx is there afterwards.
"""

import argparse
import base64
import concurrent.futures
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

p = argparse.ArgumentParser()
p.add_argument("--lb", required=True)
p.add_argument("--a", required=True)
p.add_argument("--b", required=True)
p.add_argument("--kill-a", type=int, required=True)
p.add_argument("--admin-password", required=True)
p.add_argument("--mail-dirs", nargs=2, required=True)
args = p.parse_args()

COURSE = "international-cooperation-pre-trial-detention"
SPARE_COURSE = "evidence-counter-terrorism"
PASSWORD = "lb-check-password-1"
LEARNERS = 12
INVITED = 8


def call(base, method, path, body=None, token=None, headers=None, timeout=30):
    h = {"Accept": "application/json"}
    h.update(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, res.read().decode(), dict(res.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        return 0, str(e), {}


def ok(base, method, path, body=None, token=None, headers=None, expect=(200, 201)):
    status, text, _ = call(base, method, path, body, token, headers)
    if status not in expect:
        sys.exit(f"lb_check: {method} {base}{path} answered {status}: {text}")
    return json.loads(text) if text else None


def check(cond, what):
    if not cond:
        sys.exit(f"lb_check: FAILED: {what}")
    print(f"ok: {what}")


def sign_in(base, email, password=PASSWORD):
    return ok(base, "POST", "/api/v1/auth/login", {"email": email, "password": password})["access_token"]


LB, A, B = args.lb, args.a, args.b
admin = sign_in(LB, "admin@help-lms.local", args.admin_password)

# 1. Publication.
listed = lambda base: [c["slug"] for c in ok(base, "GET", "/api/v1/courses")["items"]]
check(SPARE_COURSE in listed(B), "B lists the spare course before")
ok(A, "POST", f"/api/v1/courses/{SPARE_COURSE}/archive", token=admin)
started = time.monotonic()
while SPARE_COURSE in listed(B) and time.monotonic() - started < 5:
    time.sleep(0.05)
seen_after = time.monotonic() - started
check(SPARE_COURSE not in listed(B), f"a course archived on A is gone from B's catalogue ({seen_after * 1000:.0f} ms)")
check(seen_after < 2, "under two seconds: B's recheck time (1 s), one catalogue read, and this script's 50 ms polling")

# Staff and a cohort, through the balancer.
inst = ok(LB, "POST", "/api/v1/institutions", {"name": "LB Judicial Academy", "country": "RO", "kind": "judicial_training"}, admin)
inv = ok(LB, "POST", f"/api/v1/institutions/{inst['id']}/users?delivery=links",
         {"email": "manager@lb.example.org", "name": "LB manager", "role": "nti_manager"}, admin)
ok(LB, "POST", "/api/v1/auth/activate", {"token": inv["activation_token"], "password": PASSWORD})
manager = sign_in(LB, "manager@lb.example.org")

# 2. Throttling: one account's failures are counted once across both instances.
statuses = []
for i in range(8):
    base = A if i % 2 == 0 else B
    status, _, _ = call(base, "POST", "/api/v1/auth/login", {"email": "manager@lb.example.org", "password": "wrong"})
    statuses.append(status)
first_lock = statuses.index(429) if 429 in statuses else None
check(first_lock == 5, f"the sixth wrong password is refused 429, alternating instances: {statuses}")
status, _, _ = call(B, "POST", "/api/v1/auth/login", {"email": "manager@lb.example.org", "password": PASSWORD})
check(status == 429, "the lock holds on either instance, even for the right password")

cohort = ok(LB, "POST", "/api/v1/cohorts", {
    "course": COURSE, "language": "en", "name": "LB cohort", "starts_on": "2027-01-11",
    "ends_on": "2027-04-30", "capacity": 100}, manager)

# 3. Idempotency across instances.
rows = [{"email": f"learner{i}@lb.example.org", "given_name": "Ana", "family_name": f"Pop {i}",
         "profession": "judge", "country": "RO"} for i in range(LEARNERS)]
key = {"Idempotency-Key": "lb-check-bulk-1"}
path = f"/api/v1/cohorts/{cohort['id']}/enrolments?delivery=links"
first = ok(A, "POST", path, rows, manager, key)
again = ok(B, "POST", path, rows, manager, key)
# A replay carries no secret: the activation links are in the first answer only.
public = lambda answer: {**answer, "rows": [{k: v for k, v in r.items() if not k.startswith("activation_")}
                                             for r in answer["rows"]]}
check(public(first) == public(again) and "activation_token" not in json.dumps(again),
      "the same Idempotency-Key on the other instance gets the same answer (without the links)")
roster = ok(LB, "GET", f"/api/v1/cohorts/{cohort['id']}/enrolments?limit=100", token=manager)
enrolled = roster["total"] if "total" in roster else len(roster["items"])
check(enrolled == LEARNERS, f"and is applied once: {enrolled} enrolments")

# 4. Mail: each invitation mailed once, whichever instance's worker took it.
invited = [{"email": f"invited{i}@lb.example.org", "given_name": "Ion", "family_name": f"Ionescu {i}",
            "profession": "prosecutor", "country": "RO"} for i in range(INVITED)]
ok(LB, "POST", f"/api/v1/cohorts/{cohort['id']}/enrolments", invited, manager)


def mailed():
    counts = {}
    for d in args.mail_dirs:
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for r in invited:
                if f"To: {r['email']}" in text or f"<{r['email']}>" in text:
                    counts[r["email"]] = counts.get(r["email"], 0) + 1
    return counts


deadline = time.monotonic() + 30
while len(mailed()) < INVITED and time.monotonic() < deadline:
    time.sleep(0.2)
time.sleep(2)  # long enough for a duplicate to show, were there one
counts = mailed()
check(len(counts) == INVITED and set(counts.values()) == {1},
      f"each of the {INVITED} invitations mailed exactly once across both instances: {sorted(counts.values())}")

# 5. The journey, while A dies.
learners = []
for r, row in zip(first["rows"], rows):
    ok(LB, "POST", "/api/v1/auth/activate", {"token": r["activation_token"], "password": PASSWORD})
    token = sign_in(LB, row["email"])
    outline = ok(LB, "GET", f"/api/v1/enrolments/{r['enrolment_id']}", token=token)
    lessons = [l["id"] for m in outline["modules"] for l in m["lessons"]]
    quiz = next(m["quiz"]["id"] for m in outline["modules"] if m.get("quiz"))
    learners.append({"token": token, "enrolment": r["enrolment_id"], "lessons": lessons, "quiz": quiz})

acknowledged = []  # (kind, learner index, id)
answers = []  # (sent at, status)
lock = threading.Lock()
killed_at = [None]


def journey(i):
    l = learners[i]
    for lesson in l["lessons"]:
        sent = time.monotonic()
        status, _, _ = call(LB, "PUT", f"/api/v1/enrolments/{l['enrolment']}/lessons/{lesson}/progress",
                            {"status": "completed", "time_spent_seconds": 60}, l["token"])
        with lock:
            answers.append((sent, status))
            if 200 <= status < 300:
                acknowledged.append(("lesson", i, lesson))
        time.sleep(0.05)
    sent = time.monotonic()
    status, text, _ = call(LB, "POST", f"/api/v1/enrolments/{l['enrolment']}/quizzes/{l['quiz']}/attempts",
                           token=l["token"])
    with lock:
        answers.append((sent, status))
    if status == 201:
        attempt = json.loads(text)["id"]
        sent = time.monotonic()
        status, _, _ = call(LB, "POST", f"/api/v1/attempts/{attempt}/submit", {"responses": {}}, l["token"])
        with lock:
            answers.append((sent, status))
            if status == 200:
                acknowledged.append(("attempt", i, attempt))


def killer():
    # Once about a third of the lesson writes are answered.
    total = sum(len(l["lessons"]) for l in learners)
    while True:
        with lock:
            done = len(answers)
        if done >= total // 3:
            break
        time.sleep(0.01)
    os.kill(args.kill_a, signal.SIGKILL)
    killed_at[0] = time.monotonic()


with concurrent.futures.ThreadPoolExecutor(max_workers=LEARNERS + 1) as pool:
    k = pool.submit(killer)
    list(pool.map(journey, range(LEARNERS)))
    k.result()

check(killed_at[0] is not None, "instance A was killed during the journey")
failed = [(t - killed_at[0], s) for t, s in answers if not 200 <= s < 300]
late = [f for f in failed if f[0] > 3.0]
print(f"   {len(answers)} requests, {len(failed)} not 2xx (seconds after the kill, status): {failed}")
check(not late, "every request sent more than 3 s after the kill was answered 2xx by B")
check(len(failed) <= LEARNERS, "at most the requests in flight at the kill failed")

# Every acknowledged write is there, read through the balancer (B alone now).
for kind, i, ident in acknowledged:
    l = learners[i]
    if kind == "lesson":
        outline = ok(LB, "GET", f"/api/v1/enrolments/{l['enrolment']}", token=l["token"])
        state = {x["id"]: x for m in outline["modules"] for x in m["lessons"]}
        if state[ident].get("status") != "completed":
            sys.exit(f"lb_check: FAILED: an acknowledged lesson write is lost: {state[ident]}")
    else:
        a = ok(LB, "GET", f"/api/v1/attempts/{ident}", token=l["token"])
        if a.get("status") != "submitted":
            sys.exit(f"lb_check: FAILED: an acknowledged submit is lost: {a.get('status')}")
check(True, f"all {len(acknowledged)} acknowledged writes are there after the kill")
status, _, _ = call(LB, "GET", "/readyz")
check(status == 200, "the balancer still answers, through B")
print("lb_check: the two instances behaved as one system")
