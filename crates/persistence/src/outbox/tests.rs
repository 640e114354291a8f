//! Leases, retries and delivery of outbox messages.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::test_support::TestDb;

fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.to_owned(),
        to_name: "Ana Popescu".to_owned(),
        language: "ro".to_owned(),
        subject: "HELP".to_owned(),
        text: "https://help.example.org/account/activate?token=t".to_owned(),
        html: "<p>x</p>".to_owned(),
    }
}

async fn enqueue(t: &TestDb, to: &[&str]) {
    let txn = t.db.begin_write().await.unwrap();
    let mails: Vec<_> = to.iter().map(|a| mail(a)).collect();
    enqueue_mail(&txn, &mails).await.unwrap();
    txn.commit().await.unwrap();
}

#[tokio::test]
async fn a_leased_message_is_not_leased_again_until_its_lease_ends() {
    let t = TestDb::new().await;
    enqueue(&t, &["a@x.example", "b@x.example"]).await;
    let first = lease(&t.db, MAIL, "w1", Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|l| l.attempt == 1));
    let second = lease(&t.db, MAIL, "w2", Duration::minutes(2), 10)
        .await
        .unwrap();
    assert!(second.is_empty(), "leased twice: {second:?}");
    // A lease that ran out (its worker died) is taken over, counting another attempt.
    ob::Entity::update_many()
        .col_expr(
            ob::Column::LeaseUntil,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .exec(&t.db.conn)
        .await
        .unwrap();
    let taken = lease(&t.db, MAIL, "w2", Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 2);
    assert!(taken.iter().all(|l| l.attempt == 2));
    // The first worker lost its lease: it cannot settle.
    assert!(!settle(&t.db, taken[0].id, "w1", Ok(())).await.unwrap());
    assert!(settle(&t.db, taken[0].id, "w2", Ok(())).await.unwrap());
    assert_eq!(pending(&t.db.conn, MAIL).await.unwrap(), 1);
}

#[tokio::test]
async fn delivery_clears_the_payload_and_retries_wait_for_their_time() {
    let t = TestDb::new().await;
    enqueue(&t, &["a@x.example", "b@x.example", "c@x.example"]).await;
    let l = lease(&t.db, MAIL, "w", Duration::minutes(2), 10)
        .await
        .unwrap();
    let later = Utc::now() + Duration::minutes(5);
    assert!(settle(&t.db, l[0].id, "w", Ok(())).await.unwrap());
    assert!(
        settle(&t.db, l[1].id, "w", Err(("451 try later", Some(later))))
            .await
            .unwrap()
    );
    assert!(
        settle(&t.db, l[2].id, "w", Err(("550 no such user", None)))
            .await
            .unwrap()
    );
    let rows = ob::Entity::find().all(&t.db.conn).await.unwrap();
    let by_id = |id| rows.iter().find(|r| r.id == id).unwrap();
    assert!(by_id(l[0].id).delivered_at.is_some());
    assert_eq!(by_id(l[0].id).payload, None);
    assert!(by_id(l[1].id).payload.is_some());
    assert_eq!(by_id(l[1].id).last_error.as_deref(), Some("451 try later"));
    assert!(by_id(l[2].id).failed_at.is_some());
    assert_eq!(by_id(l[2].id).payload, None);
    // The retry is not due yet; only it is pending.
    assert!(
        lease(&t.db, MAIL, "w", Duration::minutes(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(pending(&t.db.conn, MAIL).await.unwrap(), 1);
    // Housekeeping removes what was settled, not what is pending.
    assert_eq!(
        sweep(&t.db, Utc::now() + Duration::seconds(1))
            .await
            .unwrap(),
        2
    );
    assert_eq!(pending(&t.db.conn, MAIL).await.unwrap(), 1);
}
