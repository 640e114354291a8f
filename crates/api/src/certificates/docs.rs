//! The shapes of the JSON-LD documents of certificates, for the OpenAPI document only: the
//! Open Badges credential, the revocation status list, the issuer's profile and keys. The
//! documents themselves are built in [`super::badge`]; these types name their fields so
//! that clients (and the contract tests) know what to expect.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// The issuer, as a credential names it.
#[derive(Serialize, ToSchema)]
pub struct IssuerRefDoc {
    /// The issuer's profile: `{HELP_PUBLIC_URL}/api/v1/issuer`.
    id: String,
    #[serde(rename = "type")]
    kind: Vec<String>,
    name: String,
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct CriteriaDoc {
    /// How the achievement is earned.
    narrative: String,
}

/// What one version of a course certifies.
#[derive(Serialize, ToSchema)]
pub struct AchievementDoc {
    /// `{HELP_PUBLIC_URL}/api/v1/achievements/{course_id}/{version}`.
    id: String,
    #[serde(rename = "type")]
    kind: Vec<String>,
    /// `Course`.
    #[serde(rename = "achievementType")]
    achievement_type: String,
    name: String,
    description: String,
    criteria: CriteriaDoc,
    #[serde(rename = "inLanguage")]
    in_language: String,
    version: String,
    creator: IssuerRefDoc,
}

/// The published achievement, with its context.
#[derive(Serialize, ToSchema)]
pub struct PublishedAchievementDoc {
    #[serde(rename = "@context")]
    context: Vec<String>,
    #[serde(flatten)]
    achievement: AchievementDoc,
}

/// Who the credential is about: named by an identity object (the name, not hashed).
#[derive(Serialize, ToSchema)]
pub struct IdentityDoc {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "identityHash")]
    identity_hash: String,
    /// `name`.
    #[serde(rename = "identityType")]
    identity_type: String,
    hashed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectDoc {
    #[serde(rename = "type")]
    kind: Vec<String>,
    identifier: Vec<IdentityDoc>,
    achievement: AchievementDoc,
}

/// Where a verifier checks for revocation: a position in a Bitstring Status List.
#[derive(Serialize, ToSchema)]
pub struct StatusEntryDoc {
    id: String,
    /// `BitstringStatusListEntry`.
    #[serde(rename = "type")]
    kind: String,
    /// `revocation`.
    #[serde(rename = "statusPurpose")]
    status_purpose: String,
    #[serde(rename = "statusListIndex")]
    status_list_index: String,
    #[serde(rename = "statusListCredential")]
    status_list_credential: String,
}

/// A Data Integrity proof, cryptosuite `eddsa-rdfc-2022`.
#[derive(Serialize, ToSchema)]
pub struct ProofDoc {
    /// `DataIntegrityProof`.
    #[serde(rename = "type")]
    kind: String,
    cryptosuite: String,
    created: String,
    /// One of the issuer profile's `verificationMethod` ids.
    #[serde(rename = "verificationMethod")]
    verification_method: String,
    #[serde(rename = "proofPurpose")]
    proof_purpose: String,
    /// The Ed25519 signature, multibase base58btc (`z…`).
    #[serde(rename = "proofValue")]
    proof_value: String,
}

/// A certificate as an Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0).
#[derive(Serialize, ToSchema)]
pub struct CredentialDoc {
    #[serde(rename = "@context")]
    context: Vec<String>,
    /// `urn:uuid:` and the certificate's id.
    id: String,
    #[serde(rename = "type")]
    kind: Vec<String>,
    name: String,
    issuer: IssuerRefDoc,
    #[serde(rename = "validFrom")]
    valid_from: String,
    #[serde(rename = "credentialSubject")]
    credential_subject: SubjectDoc,
    #[serde(rename = "credentialStatus")]
    credential_status: StatusEntryDoc,
    proof: ProofDoc,
}

#[derive(Serialize, ToSchema)]
pub struct StatusListSubjectDoc {
    id: String,
    /// `BitstringStatusList`.
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "statusPurpose")]
    status_purpose: String,
    /// The bits, gzip-compressed, multibase base64url (`u…`); the first position is the
    /// high bit of the first byte; 1 is revoked.
    #[serde(rename = "encodedList")]
    encoded_list: String,
}

/// A revocation status list as a `BitstringStatusListCredential`.
#[derive(Serialize, ToSchema)]
pub struct StatusListDoc {
    #[serde(rename = "@context")]
    context: Vec<String>,
    id: String,
    #[serde(rename = "type")]
    kind: Vec<String>,
    issuer: String,
    #[serde(rename = "validFrom")]
    valid_from: String,
    #[serde(rename = "credentialSubject")]
    credential_subject: StatusListSubjectDoc,
    proof: ProofDoc,
}

/// A public key of the issuer.
#[derive(Serialize, ToSchema)]
pub struct MethodDoc {
    /// `{HELP_PUBLIC_URL}/api/v1/issuer#` and the key.
    id: String,
    /// `Multikey`.
    #[serde(rename = "type")]
    kind: String,
    controller: String,
    /// The Ed25519 public key, `z6Mk…`.
    #[serde(rename = "publicKeyMultibase")]
    public_key_multibase: String,
}

/// The issuer's Open Badges `Profile`, also the controller document of its keys.
#[derive(Serialize, ToSchema)]
pub struct IssuerDoc {
    #[serde(rename = "@context")]
    context: Vec<String>,
    id: String,
    /// `Profile`.
    #[serde(rename = "type")]
    kind: String,
    name: String,
    url: String,
    description: String,
    /// Every published key: the signing key first, then earlier ones.
    #[serde(rename = "verificationMethod")]
    verification_method: Vec<MethodDoc>,
    #[serde(rename = "assertionMethod")]
    assertion_method: Vec<String>,
}

/// One key of a JSON Web Key Set (RFC 8037).
#[derive(Serialize, ToSchema)]
pub struct JwkDoc {
    /// `OKP`.
    kty: String,
    /// `Ed25519`.
    crv: String,
    /// The public key, base64url.
    x: String,
    /// The key's verification method id.
    kid: String,
    alg: String,
    #[serde(rename = "use")]
    usage: String,
}

#[derive(Serialize, ToSchema)]
pub struct JwksDoc {
    keys: Vec<JwkDoc>,
}
