//! JSON-LD to RDF for the documents help-lms signs, and their RDFC-1.0 canonical form.
//!
//! The platform signs three kinds of document of its own making: the Open Badges credential,
//! the revocation status list credential and a Data Integrity proof's options. Their
//! contexts are fixed (W3C Verifiable Credentials 2.0 and 1EdTech Open Badges 3.0.3), so
//! instead of a general JSON-LD processor this module knows each term they use: the IRI
//! the contexts give it and how its value is read (a literal, a typed literal, a node). A
//! term it does not know is an error, never a silent drop: a new field must be added here
//! (and to the reference vectors in the tests, produced by jsonld.js from the published
//! contexts). The canonical N-Quads come from `rdf-canon`.

use oxrdf::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use serde_json::Value;

const CRED: &str = "https://www.w3.org/2018/credentials#";
const OB: &str = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";
const SCHEMA: &str = "https://schema.org/";
const STATUS: &str = "https://www.w3.org/ns/credentials/status#";
const SEC: &str = "https://w3id.org/security#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// The VC 2.0 context's `xsd:` (http)…
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// … and the Open Badges context's (https).
const XSD_OB: &str = "https://www.w3.org/2001/XMLSchema#";

/// How a term's value is read.
#[derive(Clone, Copy)]
enum Read {
    /// A plain string literal.
    Text,
    /// A literal of this datatype (base and local name).
    Typed(&'static str, &'static str),
    /// An IRI (`"@type": "@id"`), or a nested node when the value is an object.
    Node,
    /// An IRI in the vocabulary (`"@type": "@vocab"`).
    Vocab(&'static str),
}

/// Every term of the documents signed: (term, IRI base, local name, how it is read).
const TERMS: &[(&str, &str, &str, Read)] = &[
    // Verifiable Credentials 2.0.
    ("issuer", CRED, "issuer", Read::Node),
    ("validFrom", CRED, "validFrom", Read::Typed(XSD, "dateTime")),
    (
        "validUntil",
        CRED,
        "validUntil",
        Read::Typed(XSD, "dateTime"),
    ),
    ("credentialSubject", CRED, "credentialSubject", Read::Node),
    ("credentialStatus", CRED, "credentialStatus", Read::Node),
    ("name", SCHEMA, "name", Read::Text),
    ("description", SCHEMA, "description", Read::Text),
    // Bitstring Status List.
    ("statusPurpose", STATUS, "statusPurpose", Read::Text),
    ("statusListIndex", STATUS, "statusListIndex", Read::Text),
    (
        "statusListCredential",
        STATUS,
        "statusListCredential",
        Read::Node,
    ),
    (
        "encodedList",
        STATUS,
        "encodedList",
        Read::Typed(SEC, "multibase"),
    ),
    // Data Integrity proofs.
    (
        "cryptosuite",
        SEC,
        "cryptosuite",
        Read::Typed(SEC, "cryptosuiteString"),
    ),
    (
        "created",
        "http://purl.org/dc/terms/",
        "created",
        Read::Typed(XSD, "dateTime"),
    ),
    ("verificationMethod", SEC, "verificationMethod", Read::Node),
    ("proofPurpose", SEC, "proofPurpose", Read::Vocab(SEC)),
    // Open Badges 3.0.
    ("url", SCHEMA, "url", Read::Typed(XSD_OB, "anyURI")),
    ("achievement", OB, "achievement", Read::Node),
    ("identifier", OB, "identifier", Read::Node),
    ("identityHash", OB, "identityHash", Read::Text),
    ("identityType", OB, "identityType", Read::Text),
    ("hashed", OB, "hashed", Read::Typed(XSD_OB, "boolean")),
    ("achievementType", OB, "achievementType", Read::Text),
    ("criteria", OB, "Criteria", Read::Node),
    ("narrative", OB, "narrative", Read::Text),
    ("inLanguage", SCHEMA, "inLanguage", Read::Text),
    ("version", OB, "version", Read::Text),
    ("humanCode", OB, "humanCode", Read::Text),
    ("creator", OB, "creator", Read::Node),
];

/// Every type of those documents: (type, IRI base, local name).
const TYPES: &[(&str, &str, &str)] = &[
    ("VerifiableCredential", CRED, "VerifiableCredential"),
    ("OpenBadgeCredential", OB, "OpenBadgeCredential"),
    ("Profile", OB, "Profile"),
    ("AchievementSubject", OB, "AchievementSubject"),
    ("Achievement", OB, "Achievement"),
    ("IdentityObject", OB, "IdentityObject"),
    ("Criteria", OB, "Criteria"),
    (
        "BitstringStatusListEntry",
        STATUS,
        "BitstringStatusListEntry",
    ),
    (
        "BitstringStatusListCredential",
        STATUS,
        "BitstringStatusListCredential",
    ),
    ("BitstringStatusList", STATUS, "BitstringStatusList"),
    ("DataIntegrityProof", SEC, "DataIntegrityProof"),
];

fn iri(s: &str) -> Result<NamedNode, String> {
    NamedNode::new(s).map_err(|e| format!("`{s}` is not an IRI: {e}"))
}

fn joined(base: &str, local: &str) -> Result<NamedNode, String> {
    iri(&format!("{base}{local}"))
}

struct Writer {
    quads: Vec<Quad>,
    blanks: usize,
}

impl Writer {
    fn node(&mut self, obj: &serde_json::Map<String, Value>) -> Result<NamedOrBlankNode, String> {
        let subject: NamedOrBlankNode = match obj.get("id") {
            Some(Value::String(id)) => iri(id)?.into(),
            Some(_) => return Err("an `id` must be a string".to_owned()),
            None => {
                self.blanks += 1;
                BlankNode::new_unchecked(format!("b{}", self.blanks)).into()
            }
        };
        for (key, value) in obj {
            match key.as_str() {
                "@context" | "id" => {}
                "type" => {
                    for t in items(value) {
                        let name = t.as_str().ok_or("a `type` must be a string")?;
                        let (_, base, local) = TYPES
                            .iter()
                            .find(|(n, _, _)| *n == name)
                            .ok_or_else(|| format!("unknown type `{name}`"))?;
                        self.push(&subject, iri(RDF_TYPE)?, joined(base, local)?.into());
                    }
                }
                term => {
                    let (_, base, local, read) = TERMS
                        .iter()
                        .find(|(n, ..)| *n == term)
                        .ok_or_else(|| format!("unknown term `{term}`"))?;
                    let predicate = joined(base, local)?;
                    for v in items(value) {
                        let object = self.object(*read, v, term)?;
                        self.push(&subject, predicate.clone(), object);
                    }
                }
            }
        }
        Ok(subject)
    }

    fn object(&mut self, read: Read, v: &Value, term: &str) -> Result<Term, String> {
        Ok(match (read, v) {
            (Read::Node, Value::Object(o)) => match self.node(o)? {
                NamedOrBlankNode::NamedNode(n) => n.into(),
                NamedOrBlankNode::BlankNode(b) => b.into(),
            },
            (Read::Node, Value::String(s)) => iri(s)?.into(),
            (Read::Vocab(base), Value::String(s)) => joined(base, s)?.into(),
            (Read::Text, Value::String(s)) => Literal::new_simple_literal(s).into(),
            (Read::Typed(base, local), Value::String(s)) => {
                Literal::new_typed_literal(s, joined(base, local)?).into()
            }
            (Read::Typed(base, local), Value::Bool(b)) => {
                Literal::new_typed_literal(b.to_string(), joined(base, local)?).into()
            }
            _ => return Err(format!("`{term}` has a value of an unexpected kind")),
        })
    }

    fn push(&mut self, s: &NamedOrBlankNode, p: NamedNode, o: Term) {
        self.quads
            .push(Quad::new(s.clone(), p, o, GraphName::DefaultGraph));
    }
}

/// A JSON value as the list of its items (a lone value is a list of one).
fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// The RDFC-1.0 canonical N-Quads of a document (its `proof`, if any, left out).
pub fn canonical(doc: &Value) -> Result<String, String> {
    let mut obj = doc.as_object().ok_or("a document is an object")?.clone();
    obj.remove("proof");
    let mut w = Writer {
        quads: Vec::new(),
        blanks: 0,
    };
    w.node(&obj)?;
    rdf_canon::canonicalize_quads(&w.quads).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_unknown_term_or_type_is_an_error_not_a_silent_drop() {
        let doc = json!({"id": "urn:x:1", "type": "VerifiableCredential", "nickname": "x"});
        assert!(canonical(&doc).unwrap_err().contains("nickname"));
        let doc = json!({"id": "urn:x:1", "type": "Badge"});
        assert!(canonical(&doc).unwrap_err().contains("Badge"));
        let doc = json!({"id": "urn:x:1", "name": 3});
        assert!(canonical(&doc).is_err());
    }

    #[test]
    fn literals_are_escaped_and_the_proof_is_left_out() {
        let doc = json!({"id": "urn:x:1", "name": "say \"hi\"\n", "proof": {"type": "DataIntegrityProof"}});
        assert_eq!(
            canonical(&doc).unwrap(),
            "<urn:x:1> <https://schema.org/name> \"say \\\"hi\\\"\\n\" .\n"
        );
    }
}
