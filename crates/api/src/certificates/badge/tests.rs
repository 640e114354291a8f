//! The credential's shape, its canonical form against reference vectors made by jsonld.js
//! from the published contexts (`.ci/certificates/verifier/canonize.mjs`), and signing,
//! tampering and key rotation.

use chrono::TimeZone as _;

use super::*;

fn base() -> PublicUrl {
    PublicUrl::parse("https://help.example.org").unwrap_or_default()
}

fn published(keys: &IssuerKeys) -> Vec<keys::VerifyingKey> {
    keys.published().copied().collect()
}

fn sample() -> Certificate {
    Certificate {
        id: uuid::Uuid::from_u128(0x0193_e7a4_1111_7000_8000_0000_0000_0001),
        code: "ABCD-EFGH-JKMN-PQRS-TVWX".to_owned(),
        enrolment_id: uuid::Uuid::from_u128(2),
        user_id: uuid::Uuid::from_u128(3),
        course_id: uuid::Uuid::from_u128(4),
        course_version: 2,
        learner_name: "Vâlcu-Șerban \"Mădălina\"".to_owned(),
        course_title: "Coopération internationale en matière pénale".to_owned(),
        language: Language::Fr,
        issued_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 15, 0).unwrap(),
        final_score: 87.5,
        estimated_hours: 5.0,
        revoked_at: None,
        revoked_reason: None,
        run: None,
        status_index: 131_073,
        erased_at: None,
    }
}

fn sample_credential() -> Value {
    credential(
        &sample(),
        "La détention provisoire et la coopération.",
        &base(),
    )
}

#[test]
fn the_credential_has_the_shape_open_badges_asks_for() {
    let c = sample_credential();
    let expected: Value = serde_json::from_str(include_str!("vectors/credential.json")).unwrap();
    assert_eq!(c, expected);
    // The second list, second position.
    assert_eq!(
        c["credentialStatus"]["statusListCredential"],
        "https://help.example.org/api/v1/credentials/status/1"
    );
}

#[test]
fn canonical_forms_match_the_reference_vectors() {
    let c = sample_credential();
    assert_eq!(
        rdf::canonical(&c).unwrap(),
        include_str!("vectors/credential.nq")
    );
    let options = proof_options(
        &c,
        "https://help.example.org/api/v1/issuer#z6MkExample",
        Utc.with_ymd_and_hms(2026, 11, 30, 9, 15, 0).unwrap(),
    );
    assert_eq!(
        rdf::canonical(&options).unwrap(),
        include_str!("vectors/proof.nq")
    );
    let list = status_list_credential(
        &base(),
        1,
        &[131_073],
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
    )
    .unwrap();
    assert_eq!(
        rdf::canonical(&list).unwrap(),
        include_str!("vectors/status-list.nq")
    );
}

#[test]
fn a_signed_credential_verifies_and_a_tampered_one_does_not() {
    let keys = IssuerKeys::new([9; 32], Vec::new());
    let signed = sign(sample_credential(), &keys, &base(), sample().issued_at).unwrap();
    assert_eq!(verify(&signed, &published(&keys), &base()), Ok(()));
    let proof = &signed["proof"];
    assert_eq!(proof["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(proof["proofPurpose"], "assertionMethod");
    assert!(proof.get("@context").is_none());
    // Signatures are deterministic: the same certificate gives the same document.
    assert_eq!(
        signed,
        sign(sample_credential(), &keys, &base(), sample().issued_at).unwrap()
    );

    let mut renamed = signed.clone();
    renamed["credentialSubject"]["identifier"][0]["identityHash"] = json!("Someone Else");
    assert!(verify(&renamed, &published(&keys), &base()).is_err());
    let mut redated = signed.clone();
    redated["proof"]["created"] = json!("2027-01-01T00:00:00Z");
    assert!(verify(&redated, &published(&keys), &base()).is_err());
    let other = IssuerKeys::new([8; 32], Vec::new());
    assert!(verify(&signed, &published(&other), &base()).is_err());
}

#[test]
fn rotating_the_key_keeps_earlier_credentials_verifiable() {
    let old = IssuerKeys::new([1; 32], Vec::new());
    let before = sign(sample_credential(), &old, &base(), sample().issued_at).unwrap();
    let rotated = IssuerKeys::new([2; 32], vec![*old.current()]);
    assert_eq!(verify(&before, &published(&rotated), &base()), Ok(()));
    let after = sign(sample_credential(), &rotated, &base(), sample().issued_at).unwrap();
    assert_ne!(before["proof"], after["proof"]);
    assert_eq!(verify(&after, &published(&rotated), &base()), Ok(()));
    // The profile publishes both; the new key comes first.
    let profile = issuer_profile(&base(), &rotated);
    let methods = profile["verificationMethod"].as_array().unwrap();
    assert_eq!(methods.len(), 2);
    assert_eq!(methods[0]["id"], after["proof"]["verificationMethod"]);
    assert_eq!(methods[1]["id"], before["proof"]["verificationMethod"]);
    assert_eq!(profile["assertionMethod"].as_array().unwrap().len(), 2);
    assert_eq!(jwks(&base(), &rotated)["keys"].as_array().unwrap().len(), 2);
    // Without the earlier key published, its credentials no longer verify.
    let forgotten = IssuerKeys::new([2; 32], Vec::new());
    assert!(verify(&before, &published(&forgotten), &base()).is_err());
}
