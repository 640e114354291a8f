//! The store's rules on both databases: repeats and conflicts, voiding, the query filters
//! with StatementRef targets, keyset paging, scopes, documents and credentials.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::Visibility;
use super::credentials::{self, Kind, NewCredential};
use super::documents::{self, Document, Key};
use super::statements::{self, Mention, NewStatement, Query, VOIDED};
use crate::error::{Conflict, StoreError};
use crate::test_support::TestDb;

fn statement(id: &str, verb: &str, actor: &str, scope: &str, stored_us: i64) -> NewStatement {
    let body = json!({"id": id, "verb": {"id": verb}, "actor": {"mbox": actor}, "object": {"id": "http://example.org/a"}, "stored": "x"});
    NewStatement {
        id: id.to_owned(),
        body: body.to_string(),
        received: body,
        stored_us,
        verb_id: verb.to_owned(),
        actor_key: Some(format!("mbox:{actor}")),
        object_activity: Some("http://example.org/a".to_owned()),
        object_agent_key: None,
        object_ref: None,
        registration: None,
        scope: scope.to_owned(),
        learner_id: None,
        mentions: vec![
            Mention::Agent(format!("mbox:{actor}")),
            Mention::Activity("http://example.org/a".to_owned()),
        ],
        definitions: vec![],
    }
}

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

async fn store(t: &TestDb, batch: Vec<NewStatement>) -> Result<usize, StoreError> {
    let txn = t.db.begin_write().await.unwrap();
    let n = statements::insert(&txn, batch, vec![], &Visibility::All).await?;
    txn.commit().await.unwrap();
    Ok(n)
}

fn ids(page: &statements::Page) -> Vec<String> {
    page.rows
        .iter()
        .map(|(_, body, _)| {
            serde_json::from_str::<Value>(body).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_repeat_is_stored_once_and_a_different_statement_with_its_id_conflicts() {
    let t = TestDb::new().await;
    let s = statement(
        &id(1),
        "http://example.org/v",
        "mailto:a@example.org",
        "admin",
        10,
    );
    assert_eq!(store(&t, vec![s.clone()]).await.unwrap(), 1);
    assert_eq!(
        store(&t, vec![s.clone()]).await.unwrap(),
        0,
        "the same statement again"
    );
    let mut other = s.clone();
    other.received["verb"]["id"] = json!("http://example.org/other");
    let err = store(&t, vec![other]).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::StatementIdTaken)),
        "{err:?}"
    );
    let page = statements::query(
        &t.db.conn,
        &Query {
            limit: 10,
            ..Query::default()
        },
        &Visibility::All,
    )
    .await
    .unwrap();
    assert_eq!(ids(&page), vec![id(1)]);
}

#[tokio::test]
async fn voiding_hides_the_target_from_queries_and_never_voids_a_voiding_statement() {
    let t = TestDb::new().await;
    let verb = "http://example.org/v";
    store(
        &t,
        vec![statement(&id(1), verb, "mailto:a@example.org", "admin", 10)],
    )
    .await
    .unwrap();
    let mut voiding = statement(&id(2), VOIDED, "mailto:a@example.org", "admin", 20);
    voiding.object_activity = None;
    voiding.object_ref = Some(id(1));
    store(&t, vec![voiding]).await.unwrap();
    let mut again = statement(&id(3), VOIDED, "mailto:a@example.org", "admin", 30);
    again.object_activity = None;
    again.object_ref = Some(id(2));
    store(&t, vec![again]).await.unwrap();

    let all = &Visibility::All;
    assert!(
        statements::get(&t.db.conn, &id(1), false, all)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        statements::get(&t.db.conn, &id(1), true, all)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        statements::get(&t.db.conn, &id(2), false, all)
            .await
            .unwrap()
            .is_some(),
        "a voiding statement stays"
    );
    // Filtering on the voided statement's verb finds the statement that targets it.
    let q = Query {
        verb: Some(verb.to_owned()),
        limit: 10,
        ..Query::default()
    };
    let page = statements::query(&t.db.conn, &q, all).await.unwrap();
    assert_eq!(ids(&page), vec![id(2)]);
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats_and_ignore_later_statements() {
    let t = TestDb::new().await;
    let batch = (1..=5)
        .map(|n| {
            statement(
                &id(n),
                "http://example.org/v",
                "mailto:a@example.org",
                "admin",
                i64::from(n),
            )
        })
        .collect();
    store(&t, batch).await.unwrap();
    let mut q = Query {
        limit: 2,
        ascending: true,
        ..Query::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = statements::query(&t.db.conn, &q, &Visibility::All)
            .await
            .unwrap();
        seen.extend(ids(&page));
        if seen.len() == 2 {
            // Stored after the first page: not in this query's pages.
            store(
                &t,
                vec![statement(
                    &id(9),
                    "http://example.org/v",
                    "mailto:a@example.org",
                    "admin",
                    99,
                )],
            )
            .await
            .unwrap();
        }
        if !page.more {
            break;
        }
        q.after = page.rows.last().map(|r| r.0);
        q.upto = Some(page.upto);
    }
    assert_eq!(seen, (1..=5).map(id).collect::<Vec<_>>());
}

#[tokio::test]
async fn filters_and_scopes_narrow_the_answer() {
    let t = TestDb::new().await;
    store(
        &t,
        vec![
            statement(
                &id(1),
                "http://example.org/v",
                "mailto:a@example.org",
                "platform:i1",
                1,
            ),
            statement(
                &id(2),
                "http://example.org/w",
                "mailto:b@example.org",
                "institution:i1",
                2,
            ),
            statement(
                &id(3),
                "http://example.org/v",
                "mailto:b@example.org",
                "platform:i2",
                3,
            ),
        ],
    )
    .await
    .unwrap();
    let q = |f: fn(&mut Query)| {
        let mut q = Query {
            limit: 10,
            ..Query::default()
        };
        f(&mut q);
        q
    };
    let i1 = Visibility::Scopes(vec!["platform:i1".into(), "institution:i1".into()]);
    let page = statements::query(&t.db.conn, &q(|_| {}), &i1)
        .await
        .unwrap();
    assert_eq!(
        ids(&page),
        vec![id(2), id(1)],
        "another institution's learners stay out"
    );
    let page = statements::query(
        &t.db.conn,
        &q(|q| q.agent = Some("mbox:mailto:b@example.org".into())),
        &Visibility::All,
    )
    .await
    .unwrap();
    assert_eq!(ids(&page), vec![id(3), id(2)]);
    let page = statements::query(
        &t.db.conn,
        &q(|q| {
            q.verb = Some("http://example.org/v".into());
            q.since_us = Some(1);
        }),
        &Visibility::All,
    )
    .await
    .unwrap();
    assert_eq!(ids(&page), vec![id(3)]);
    assert!(
        statements::get(&t.db.conn, &id(3), false, &i1)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn documents_are_kept_per_key_and_listed_by_time() {
    let t = TestDb::new().await;
    let key = |doc: &str| Key {
        scope: "admin".into(),
        kind: documents::Kind::State,
        activity_id: "http://example.org/a".into(),
        agent_key: "mbox:mailto:a@example.org".into(),
        registration: String::new(),
        doc_id: doc.into(),
    };
    let doc = |text: &str, at: i64| Document {
        content_type: "text/plain".into(),
        content: text.as_bytes().to_vec(),
        etag: format!("\"{text}\""),
        updated_us: at,
    };
    documents::put(&t.db.conn, &key("one"), &doc("first", 10))
        .await
        .unwrap();
    documents::put(&t.db.conn, &key("one"), &doc("second", 20))
        .await
        .unwrap();
    documents::put(&t.db.conn, &key("two"), &doc("other", 30))
        .await
        .unwrap();
    let got = documents::get(&t.db.conn, &key("one"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.content, b"second");
    assert_eq!(
        documents::ids(&t.db.conn, &key(""), None).await.unwrap().0,
        vec!["one", "two"]
    );
    assert_eq!(
        documents::ids(&t.db.conn, &key(""), Some(20))
            .await
            .unwrap()
            .0,
        vec!["two"]
    );
    let mut elsewhere = key("one");
    elsewhere.scope = "institution:x".into();
    assert!(
        documents::get(&t.db.conn, &elsewhere)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        documents::delete(&t.db.conn, &key(""), true).await.unwrap(),
        2
    );
}

#[tokio::test]
async fn a_credential_works_with_its_secret_until_revoked_or_expired() {
    let t = TestDb::new().await;
    let now = chrono::Utc::now();
    let new = |expires_at| NewCredential {
        name: "records".into(),
        kind: Kind::Admin,
        institution_id: None,
        learner_id: None,
        registration: None,
        created_by: None,
        expires_at,
    };
    let (cred, secret) = credentials::create(&t.db.conn, new(None), now)
        .await
        .unwrap();
    assert!(
        credentials::authenticate(&t.db.conn, &cred.key, &secret, now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        credentials::authenticate(&t.db.conn, &cred.key, "wrong", now)
            .await
            .unwrap()
            .is_none()
    );
    credentials::revoke(&t.db.conn, cred.id, now).await.unwrap();
    assert!(
        credentials::authenticate(&t.db.conn, &cred.key, &secret, now)
            .await
            .unwrap()
            .is_none()
    );
    let (short, secret) = credentials::create(
        &t.db.conn,
        new(Some(now + chrono::Duration::minutes(1))),
        now,
    )
    .await
    .unwrap();
    let later = now + chrono::Duration::minutes(2);
    assert!(
        credentials::authenticate(&t.db.conn, &short.key, &secret, later)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn erasure_deletes_the_persons_statements_and_the_attachments_only_they_used() {
    let t = TestDb::new().await;
    let with = |mut s: NewStatement, hashes: &[&str]| {
        let mut body: Value = serde_json::from_str(&s.body).unwrap();
        body["attachments"] = hashes.iter().map(|h| json!({"sha2": h})).collect();
        s.body = body.to_string();
        s
    };
    let theirs = with(
        statement(&id(1), "http://x/v", "mailto:ana@x.example", "admin", 1),
        &["aaaa", "bbbb"],
    );
    let others = with(
        statement(&id(2), "http://x/v", "mailto:ion@x.example", "admin", 2),
        &["bbbb"],
    );
    let attachment = |h: &str| statements::Attachment {
        sha2: h.to_owned(),
        content_type: "text/plain".to_owned(),
        content: b"a note".to_vec(),
    };
    let txn = t.db.begin_write().await.unwrap();
    statements::insert(
        &txn,
        vec![theirs, others],
        vec![attachment("aaaa"), attachment("bbbb")],
        &Visibility::All,
    )
    .await
    .unwrap();
    let done = super::erasure::erase(
        &txn,
        uuid::Uuid::now_v7(),
        &["mbox:mailto:ana@x.example".to_owned()],
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!((done.statements, done.attachments), (1, 1));
    let left = statements::attachments(&t.db.conn, &["aaaa".into(), "bbbb".into()])
        .await
        .unwrap();
    assert_eq!(
        left.iter().map(|a| a.sha2.as_str()).collect::<Vec<_>>(),
        ["bbbb"]
    );
    let kept = statements::get(&t.db.conn, &id(2), false, &Visibility::All)
        .await
        .unwrap();
    assert!(kept.is_some(), "the other person's statement stays");
    assert!(
        statements::get(&t.db.conn, &id(1), false, &Visibility::All)
            .await
            .unwrap()
            .is_none()
    );
}
