"""Certificates v2 end to end, against a running help-lms server, with outside tools only.

Learners whose names are in Bulgarian, Greek, Romanian, Polish, Czech, Turkish, Georgian
and Armenian are invited (with their names, as printed) into an institution, enrol
themselves in a course (one of them in French) and finish it: every lesson read, every
quiz passed with the answers an admin's review of a scout's attempt shows (as
.ci/fuzz/seed.py does). For each learner's certificate:

- the PDF (`Accept: application/pdf`): its headers; `pdftotext -layout` shows the name
  exactly (compared NFC-normalised) and the title in the enrolment's language; `pdffonts`
  lists every font embedded;
- its QR code (`pdftoppm`, `zbarimg`) is the certificate's `verification_url`, which
  answers HTML with the name for `Accept: text/html` and JSON, valid, for JSON;
- its Open Badges 3.0 credential, from the learner's route and the public one (the same
  document), passes `node verify.mjs` (eddsa-rdfc-2022 proof, Bitstring Status List); a
  copy with the name changed does not; once an admin revokes the certificate, the status
  check fails while the proof still verifies (`--no-status`), and verification says
  revoked.

Standard library only, but for the tools named (poppler-utils, zbar-tools, node). Prints
one line a check and exits non-zero with a clear message at the first failure.

Usage: check.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD VERIFIER_DIR
"""

import base64
import html
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request

if len(sys.argv) != 5:
    sys.exit(__doc__.rsplit("Usage: ", 1)[1].strip())
BASE = sys.argv[1].rstrip("/")
ADMIN_EMAIL, ADMIN_PASSWORD, VERIFIER_DIR = sys.argv[2:5]
COURSE = "international-cooperation-pre-trial-detention"
PASSWORD = "certificates-check-password-1"
RUN = secrets.token_hex(4)  # in the addresses, so that a server can be checked twice
ISSUER = f"{BASE}/api/v1/issuer"

# Each learner's name as it must be printed, their account's language, and the language
# they enrol in (None: the course's default for them, English, since the course is in
# English and French only).
LEARNERS = [
    ("Мария Иванова", "bg", None),
    ("Γιώργος Παπαδόπουλος", "el", None),
    ("Vâlcu-Șerban Mădălina", "ro", None),
    ("Ștefan Vâlcu-Șerban", "ro", "fr"),
    ("Łukasz Żółć", "pl", None),
    ("Jiří Dvořák", "cs", None),
    ("Ayşe Yılmaz İğdır", "tr", None),
    ("ნინო ბერიძე", "ka", None),
    ("Արամ Պետրոսյան", "hy", None),
]
TITLES = {"en": "Certificate of completion", "fr": "Certificat de réussite"}
first_learner = f"{LEARNERS[0][0]} ({LEARNERS[0][2] or 'en'})"

work = tempfile.mkdtemp(prefix="help-lms-certificates-")
passed = 0


def nfc(text):
    return unicodedata.normalize("NFC", text)


def fail(message):
    print(f"FAILED - {message}", flush=True)
    print(f"certificates: {passed} passed, 1 failed", flush=True)
    sys.exit(1)


def ok(message):
    global passed
    passed += 1
    print(f"ok - {message}", flush=True)


def excerpt(data, n=400):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    return text if len(text) <= n else text[:n] + "…"


# The verification routes are rate limited per client address: stay well under 60 a minute.
PACED_PREFIXES = ("/verify/", "/api/v1/certificates/")
PACE_LIMIT, PACE_WINDOW = 30, 60.0
paced = []


def pace(path):
    if not path.startswith(PACED_PREFIXES):
        return
    now = time.monotonic()
    while paced and now - paced[0] > PACE_WINDOW:
        paced.pop(0)
    if len(paced) >= PACE_LIMIT:
        wait = PACE_WINDOW - (now - paced[0]) + 0.5
        print(f"   (pausing {wait:.0f} s: the verification routes are rate limited)", flush=True)
        time.sleep(wait)
        paced.pop(0)
    paced.append(time.monotonic())


def http(method, url, body=None, token=None, accept="application/json"):
    """(status, headers, body bytes) of a request; url may be a path under BASE."""
    if url.startswith("/"):
        url = BASE + url
    pace(urllib.parse.urlsplit(url).path)
    headers = {"Accept": accept}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except urllib.error.URLError as e:
        fail(f"{method} {url}: {e.reason}")


def call(method, path, body=None, token=None, expect=(200, 201)):
    status, _, data = http(method, path, body, token)
    if status not in expect:
        fail(f"{method} {path} answered {status}: {excerpt(data)}")
    return json.loads(data) if data else None


def get_json(url, token=None, what=""):
    status, headers, data = http("GET", url, token=token)
    if status != 200:
        fail(f"GET {url}{what} answered {status}: {excerpt(data)}")
    try:
        return headers, json.loads(data)
    except ValueError:
        fail(f"GET {url}{what} answered no JSON ({headers.get('Content-Type')}): {excerpt(data)}")


def media_type(headers):
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()


def run(args, what):
    try:
        done = subprocess.run(args, capture_output=True, timeout=120)
    except FileNotFoundError:
        fail(f"{what}: {args[0]} is not installed")
    except subprocess.TimeoutExpired:
        fail(f"{what}: {' '.join(args)} took over 120 s")
    return done


# --- learners through the course ------------------------------------------------------------

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


def invite(admin, institution, name, language, email):
    inv = call("POST", f"/api/v1/institutions/{institution}/users?delivery=links",
               {"email": email, "name": name, "role": "learner", "language": language}, admin)
    signed_in = call("POST", "/api/v1/auth/activate",
                     {"token": inv["activation_token"], "password": PASSWORD})
    return signed_in["access_token"]


def enrol(token, language):
    body = {"course": COURSE}
    if language:
        body["language"] = language
    return call("POST", "/api/v1/enrolments", body, token)


class Answers:
    """The answer key of each quiz in each language, from an admin's review of a scout's attempt."""

    def __init__(self, admin, scouts):
        self.admin, self.scouts, self.reviews = admin, scouts, {}

    def review(self, language, quiz):
        if (language, quiz) not in self.reviews:
            token, enrolment = self.scouts[language]
            trial = call("POST", f"/api/v1/enrolments/{enrolment}/quizzes/{quiz}/attempts", token=token)
            call("POST", f"/api/v1/attempts/{trial['id']}/submit", token=token)
            self.reviews[(language, quiz)] = call("GET", f"/api/v1/attempts/{trial['id']}", token=self.admin)
        return self.reviews[(language, quiz)]

    def for_attempt(self, language, quiz, attempt):
        review = self.review(language, quiz)
        old = labels(review)
        new = {(k, text): i for (k, i), text in labels(attempt).items()}
        return {q["key"]: translate(q["correct_response"], q["key"], old, new)
                for q in review["result"]["questions"]}


def complete(token, enrolment, language, answers):
    outline = call("GET", f"/api/v1/enrolments/{enrolment['id']}", token=token)
    for module in outline["modules"]:
        for lesson in module["lessons"]:
            call("PUT", f"/api/v1/enrolments/{enrolment['id']}/lessons/{lesson['id']}/progress",
                 {"status": "completed", "time_spent_seconds": 300}, token)
        if module.get("quiz"):
            quiz = module["quiz"]["id"]
            attempt = call("POST", f"/api/v1/enrolments/{enrolment['id']}/quizzes/{quiz}/attempts", token=token)
            responses = answers.for_attempt(language, quiz, attempt)
            graded = call("POST", f"/api/v1/attempts/{attempt['id']}/submit", {"responses": responses}, token)
            if not graded["result"]["passed"]:
                fail(f"quiz {quiz} ({language}) not passed with the reviewed answers")


# --- the PDF ------------------------------------------------------------------------------

def pdffonts_rows(text):
    """(name, emb) of each font that `pdffonts` lists, by the columns its dashes line marks."""
    lines = text.splitlines()
    dashes = next((i for i, l in enumerate(lines) if l.startswith("---")), None)
    if dashes is None or dashes == 0:
        return None
    spans, start = [], 0
    for part in lines[dashes].split(" "):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    header = lines[dashes - 1]
    names = [header[a:b if i + 1 < len(spans) else None].strip() for i, (a, b) in enumerate(spans)]
    if "emb" not in names:
        return None
    emb = names.index("emb")
    rows = []
    for line in lines[dashes + 1:]:
        if not line.strip():
            continue
        cols = [line[a:b if i + 1 < len(spans) else None].strip() for i, (a, b) in enumerate(spans)]
        rows.append((cols[0], cols[emb]))
    return rows


def check_pdf(who, enrolment, token, name, language, verification_url):
    status, headers, pdf = http("GET", f"/api/v1/enrolments/{enrolment}/certificate", token=token,
                                accept="application/pdf")
    if status != 200:
        fail(f"{who}: GET /api/v1/enrolments/{enrolment}/certificate (Accept: application/pdf) "
             f"answered {status}: {excerpt(pdf)}")
    if media_type(headers) != "application/pdf":
        fail(f"{who}: the PDF's Content-Type is {headers.get('Content-Type')!r}")
    disposition = headers.get("Content-Disposition") or ""
    if "filename" not in disposition:
        fail(f"{who}: the PDF's Content-Disposition names no filename: {disposition!r}")
    if not pdf.startswith(b"%PDF-"):
        fail(f"{who}: the PDF does not start with %PDF-: {excerpt(pdf[:40])}")
    path = os.path.join(work, f"{enrolment}.pdf")
    with open(path, "wb") as f:
        f.write(pdf)
    ok(f"{who}: PDF, {len(pdf)} bytes, Content-Disposition {disposition}")

    done = run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], "pdftotext")
    if done.returncode != 0:
        fail(f"{who}: pdftotext failed: {excerpt(done.stderr)}")
    text = nfc(done.stdout.decode("utf-8", "replace"))
    if nfc(name) not in text:
        fail(f"{who}: pdftotext -layout does not show the name {name!r}; it shows:\n{text}")
    title = TITLES[language]
    if nfc(title) not in text:
        fail(f"{who}: pdftotext -layout does not show {title!r} ({language}); it shows:\n{text}")
    if language != "en" and TITLES["en"] in text:
        fail(f"{who}: the {language} certificate also says {TITLES['en']!r}:\n{text}")
    ok(f"{who}: pdftotext shows the name exactly and {title!r}"
       + ("" if language == "en" else f", not {TITLES['en']!r}"))

    done = run(["pdffonts", path], "pdffonts")
    if done.returncode != 0:
        fail(f"{who}: pdffonts failed: {excerpt(done.stderr)}")
    listing = done.stdout.decode("utf-8", "replace")
    rows = pdffonts_rows(listing)
    if rows is None:
        fail(f"{who}: cannot read pdffonts' listing:\n{listing}")
    if not rows:
        fail(f"{who}: pdffonts lists no font")
    loose = [font for font, emb in rows if emb != "yes"]
    if loose:
        fail(f"{who}: fonts not embedded: {', '.join(loose)}\n{listing}")
    ok(f"{who}: every font embedded ({', '.join(font for font, _ in rows)})")

    prefix = os.path.join(work, f"{enrolment}-page")
    done = run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", path, prefix],
               "pdftoppm")
    if done.returncode != 0:
        fail(f"{who}: pdftoppm failed: {excerpt(done.stderr)}")
    done = run(["zbarimg", "--raw", "-q", prefix + ".png"], "zbarimg")
    codes = [l for l in done.stdout.decode("utf-8", "replace").splitlines() if l.strip()]
    if done.returncode != 0 or not codes:
        fail(f"{who}: zbarimg found no QR code on the page (exit {done.returncode}) "
             f"{excerpt(done.stderr)}")
    if codes != [verification_url]:
        fail(f"{who}: the QR code says {codes!r}, the certificate's verification_url is "
             f"{verification_url!r}")
    ok(f"{who}: the QR code is {verification_url}")


# --- verification -------------------------------------------------------------------------

def verification_json(who, url, name):
    headers, doc = get_json(url, what=" (Accept: application/json)")
    if media_type(headers) != "application/json":
        fail(f"{who}: GET {url} (Accept: application/json) answered {headers.get('Content-Type')}")
    if doc.get("learner_name") != name:
        fail(f"{who}: GET {url} gives learner_name {doc.get('learner_name')!r}, not {name!r}: "
             f"{excerpt(json.dumps(doc, ensure_ascii=False))}")
    return doc


def check_verification_page(who, url, name):
    status, headers, data = http("GET", url, accept="text/html")
    if status != 200:
        fail(f"{who}: GET {url} (Accept: text/html) answered {status}: {excerpt(data)}")
    if media_type(headers) != "text/html":
        fail(f"{who}: GET {url} (Accept: text/html) answered {headers.get('Content-Type')}: "
             f"{excerpt(data)}")
    page = nfc(html.unescape(data.decode("utf-8", "replace")))
    if nfc(name) not in page:
        fail(f"{who}: the HTML page at {url} does not show the name {name!r}: {excerpt(page, 1500)}")
    ok(f"{who}: {url} answers an HTML page with the name")
    doc = verification_json(who, url, name)
    if doc.get("valid") is not True or doc.get("status") != "valid":
        fail(f"{who}: GET {url} (JSON) is not valid: {excerpt(json.dumps(doc, ensure_ascii=False))}")
    ok(f"{who}: {url} answers JSON, valid: true, learner_name exact")


def verify(who, path, *flags):
    """Runs verify.mjs; (exit code, its JSON line)."""
    done = run(["node", os.path.join(VERIFIER_DIR, "verify.mjs"), *flags, BASE, path], "verify.mjs")
    out = done.stdout.decode("utf-8", "replace").strip()
    try:
        result = json.loads(out.splitlines()[-1])
    except (ValueError, IndexError):
        fail(f"{who}: verify.mjs printed no JSON (exit {done.returncode}): {excerpt(out)} "
             f"{excerpt(done.stderr)}")
    if done.returncode == 2:
        fail(f"{who}: verify.mjs could not run: {result.get('error')}")
    return done.returncode, result


def save(credential, name):
    path = os.path.join(work, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(credential, f, ensure_ascii=False, indent=2)
    return path


def check_credential_shape(who, credential, name, code):
    def expect(cond, what):
        if not cond:
            fail(f"{who}: the credential {what}: {excerpt(json.dumps(credential, ensure_ascii=False), 1500)}")

    expect(credential.get("@context", [])[:1] == ["https://www.w3.org/ns/credentials/v2"],
           "does not start its @context with the VC 2.0 context")
    expect("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in credential.get("@context", []),
           "lacks the OB 3.0.3 context")
    expect(set(credential.get("type", [])) >= {"VerifiableCredential", "OpenBadgeCredential"},
           "is no OpenBadgeCredential")
    expect(str(credential.get("id", "")).startswith("urn:uuid:"), "has no urn:uuid id")
    issuer = credential.get("issuer") or {}
    expect(isinstance(issuer, dict) and issuer.get("id") == ISSUER, f"has an issuer other than {ISSUER}")
    ids = (credential.get("credentialSubject") or {}).get("identifier") or [{}]
    expect(ids[0].get("identityHash") == name and ids[0].get("hashed") is False
           and ids[0].get("identityType") == "name", f"does not name {name!r} unhashed")
    status = credential.get("credentialStatus") or {}
    expect(status.get("type") == "BitstringStatusListEntry"
           and status.get("statusPurpose") == "revocation"
           and str(status.get("statusListCredential", "")).startswith(f"{BASE}/api/v1/credentials/status/"),
           "has no revocation BitstringStatusListEntry under this server")
    proof = credential.get("proof") or {}
    expect(proof.get("type") == "DataIntegrityProof" and proof.get("cryptosuite") == "eddsa-rdfc-2022"
           and proof.get("proofPurpose") == "assertionMethod"
           and str(proof.get("verificationMethod", "")).startswith(ISSUER + "#"),
           "has no eddsa-rdfc-2022 DataIntegrityProof by the issuer's key")


def check_credential(who, enrolment, token, name, code, credential_url):
    path = f"/api/v1/enrolments/{enrolment}/certificate/credential"
    headers, credential = get_json(path, token)
    disposition = headers.get("Content-Disposition") or ""
    if not disposition.lower().startswith("attachment"):
        fail(f"{who}: GET {path} has Content-Disposition {disposition!r}, not an attachment")
    check_credential_shape(who, credential, name, code)
    public = f"/api/v1/certificates/{code}/credential"
    _, same = get_json(public, what=" (no token)")
    if same != credential:
        fail(f"{who}: GET {public} gives another document than GET {path}")
    if credential_url and credential_url not in (BASE + public, BASE + path):
        fail(f"{who}: credential_url is {credential_url!r}, neither {BASE + public} nor {BASE + path}")
    ok(f"{who}: the credential, from the learner's route and the public one alike "
       f"(status entry {credential['credentialStatus'].get('statusListIndex')})")

    file = save(credential, f"{enrolment}.credential.json")
    code_, result = verify(who, file)
    if code_ != 0:
        fail(f"{who}: verify.mjs does not verify the credential: {result.get('error')}")
    ok(f"{who}: verify.mjs verifies it (proof and status: {result.get('status')})")

    if who == first_learner:
        # canonize.mjs makes the Rust side's reference vectors: keep it working.
        done = run(["node", os.path.join(VERIFIER_DIR, "canonize.mjs"), file], "canonize.mjs")
        quads = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0 or f'"{name}"' not in quads:
            fail(f"{who}: canonize.mjs (exit {done.returncode}) gives no N-Quads with the name: "
                 f"{excerpt(quads)} {excerpt(done.stderr)}")
        ok(f"{who}: canonize.mjs gives {len(quads.splitlines())} canonical N-Quads, the name among them")

    renamed = json.loads(json.dumps(credential))
    renamed["credentialSubject"]["identifier"][0]["identityHash"] = name + "x"
    code_, result = verify(who, save(renamed, f"{enrolment}.renamed.json"))
    if code_ != 1:
        fail(f"{who}: verify.mjs verifies a copy with the name changed (exit {code_}): {result}")
    ok(f"{who}: a copy with the name changed fails: {result.get('error')}")
    return credential


def check_revoked(who, admin, enrolment, token, name, code, verification_url):
    call("POST", f"/api/v1/certificates/{code}/revoke",
         {"reason": "Revoked by the certificates check: the status list must say so."}, admin)
    _, credential = get_json(f"/api/v1/certificates/{code}/credential", what=" (after revoking)")
    file = save(credential, f"{enrolment}.revoked.json")
    code_, result = verify(who, file)
    error = result.get("error") or ""
    if code_ != 1:
        fail(f"{who}: verify.mjs still verifies the revoked credential (exit {code_}): {result}")
    if "revoked" not in error.lower() and "status" not in error.lower():
        fail(f"{who}: verify.mjs rejects the revoked credential, but not for its status: {error}")
    ok(f"{who}: revoked; verify.mjs fails on the status: {error}")
    code_, result = verify(who, file, "--no-status")
    if code_ != 0:
        fail(f"{who}: with --no-status, verify.mjs rejects the revoked credential: {result.get('error')}")
    ok(f"{who}: revoked; the proof still verifies (--no-status)")
    doc = verification_json(who, verification_url, name)
    if doc.get("valid") is not False or doc.get("status") != "revoked":
        fail(f"{who}: after revoking, GET {verification_url} says "
             f"{excerpt(json.dumps(doc, ensure_ascii=False))}")
    ok(f"{who}: {verification_url} says valid: false, status: revoked")
    cert = call("GET", f"/api/v1/enrolments/{enrolment}/certificate", token=token)
    if cert.get("status") != "revoked":
        fail(f"{who}: after revoking, the certificate JSON has status {cert.get('status')!r}")


# --- the issuer ---------------------------------------------------------------------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text):
    n = 0
    for c in text:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


def check_issuer():
    _, issuer = get_json("/api/v1/issuer")
    methods = issuer.get("verificationMethod") or []
    if issuer.get("id") != ISSUER or not methods:
        fail(f"GET /api/v1/issuer: id {issuer.get('id')!r} (want {ISSUER}), "
             f"{len(methods)} verification methods: {excerpt(json.dumps(issuer, ensure_ascii=False))}")
    assertion = issuer.get("assertionMethod") or []
    keys = {}
    for m in methods:
        multibase = m.get("publicKeyMultibase", "")
        if m.get("type") != "Multikey" or m.get("controller") != ISSUER or not multibase.startswith("z6Mk"):
            fail(f"GET /api/v1/issuer: a verificationMethod is no Ed25519 Multikey of the issuer: {m}")
        if m.get("id") not in assertion:
            fail(f"GET /api/v1/issuer: {m.get('id')} is not in assertionMethod {assertion}")
        raw = b58decode(multibase[1:])
        if raw[:2] != b"\xed\x01" or len(raw) != 34:
            fail(f"GET /api/v1/issuer: {multibase} is no Ed25519 public key")
        keys[raw[2:]] = m["id"]
    _, jwks = get_json("/api/v1/issuer/jwks")
    for key in jwks.get("keys") or []:
        if key.get("kty") != "OKP" or key.get("crv") != "Ed25519":
            fail(f"GET /api/v1/issuer/jwks: a key is not OKP/Ed25519: {key}")
        x = base64.urlsafe_b64decode(key.get("x", "") + "=" * (-len(key.get("x", "")) % 4))
        keys.pop(x, None)
    if keys:
        fail(f"GET /api/v1/issuer/jwks lacks the keys {list(keys.values())}: {jwks}")
    ok(f"issuer: {len(methods)} Ed25519 Multikey(s), the same in the JWKS")


def main():
    print(f"certificates: against {BASE}, scratch files in {work}", flush=True)
    admin = call("POST", "/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})["access_token"]
    inst = call("POST", "/api/v1/institutions",
                {"name": "Certificates Check Academy", "country": "RO", "kind": "judicial_training"}, admin)
    scouts = {}
    for language in ("en", "fr"):
        token = invite(admin, inst["id"], f"Scout {language}", language, f"scout-{language}.{RUN}@certificates.example.org")
        scouts[language] = (token, enrol(token, language)["id"])
    answers = Answers(admin, scouts)

    learners = []
    for i, (name, account_language, enrol_language) in enumerate(LEARNERS):
        token = invite(admin, inst["id"], name, account_language, f"learner{i}.{RUN}@certificates.example.org")
        enrolment = enrol(token, enrol_language)
        language = enrolment["language"]
        want = enrol_language or "en"
        if language != want:
            fail(f"{name}: enrolled in {language!r}, not {want!r}")
        complete(token, enrolment, language, answers)
        learners.append((name, token, enrolment["id"], language))
    ok(f"{len(learners)} learners finished {COURSE} ({', '.join(sorted({l[3] for l in learners}))})")
    check_issuer()

    issued = []
    for name, token, enrolment, language in learners:
        who = f"{name} ({language})"
        cert = call("GET", f"/api/v1/enrolments/{enrolment}/certificate", token=token)
        code, url = cert.get("code"), cert.get("verification_url")
        problems = []
        if url != f"{BASE}/verify/{code}":
            problems.append(f"verification_url {url!r} is not {BASE}/verify/{code}")
        if cert.get("learner_name") != name:
            problems.append(f"learner_name {cert.get('learner_name')!r} is not {name!r}")
        if cert.get("language") != language:
            problems.append(f"language {cert.get('language')!r} is not {language!r}")
        if cert.get("status") != "valid":
            problems.append(f"status {cert.get('status')!r} is not 'valid'")
        if "credential_url" not in cert:
            problems.append("no credential_url")
        if problems:
            fail(f"{who}: the certificate JSON: {'; '.join(problems)}: "
                 f"{excerpt(json.dumps(cert, ensure_ascii=False), 800)}")
        ok(f"{who}: certificate {code}")
        check_pdf(who, enrolment, token, name, language, url)
        check_verification_page(who, url, name)
        check_credential(who, enrolment, token, name, code, cert.get("credential_url"))
        issued.append((who, enrolment, token, name, code, url))

    for who, enrolment, token, name, code, url in issued:
        check_revoked(who, admin, enrolment, token, name, code, url)

    print(f"certificates: {passed} passed, 0 failed", flush=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(work, ignore_errors=True)
