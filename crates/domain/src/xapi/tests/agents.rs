//! Agents, Groups, their identifiers and accounts, authorities, `validate_agent` and
//! `agent_key`.

use serde_json::{Value, json};

use super::{accepted, refused, statement, with, with_actor};
use crate::xapi::{agent_key, validate_agent};

const SHA1SUM: &str = "cd9b00a5611f94eaa7b1661edab976068e364975";

fn identifiers() -> [(&'static str, Value); 4] {
    [
        ("mbox", json!("mailto:xapi@adlnet.gov")),
        ("mbox_sha1sum", json!(SHA1SUM)),
        ("openid", json!("http://openid.example.org/12345")),
        (
            "account",
            json!({"homePage": "http://www.example.com", "name": "xAPI account name"}),
        ),
    ]
}

fn members() -> Value {
    json!([
        {"objectType": "Agent", "mbox": "mailto:agentA@example.com"},
        {"mbox": "mailto:agentB@example.com"}
    ])
}

#[test]
fn an_agent_with_each_kind_of_identifier_is_accepted() {
    for (key, value) in identifiers() {
        accepted(&with_actor(json!({ key: value })));
        accepted(&with_actor(
            json!({"objectType": "Agent", "name": "Ann", key: value}),
        ));
    }
}

#[test]
fn an_agent_with_two_identifiers_is_refused() {
    let ids = identifiers();
    for (first, first_value) in &ids {
        for (second, second_value) in &ids {
            if first != second {
                let actor = json!({ *first: first_value, *second: second_value });
                refused(&with_actor(actor), "actor");
            }
        }
    }
}

#[test]
fn an_agent_without_identifier_is_refused() {
    refused(
        &with_actor(json!({"objectType": "Agent", "name": "Ann"})),
        "actor",
    );
}

#[test]
fn an_agent_object_type_must_be_agent_or_group() {
    refused(
        &with_actor(json!({"objectType": "agent", "mbox": "mailto:a@b.c"})),
        "actor.objectType",
    );
    refused(
        &with_actor(json!({"objectType": 123, "mbox": "mailto:a@b.c"})),
        "actor.objectType",
    );
    refused(
        &with_actor(json!({"objectType": "\"objectType\": \"Agent\"", "mbox": "mailto:a@b.c"})),
        "actor.objectType",
    );
}

#[test]
fn an_agent_name_must_be_a_string() {
    refused(
        &with_actor(json!({"name": 123, "mbox": "mailto:a@b.c"})),
        "actor.name",
    );
}

#[test]
fn an_agent_with_an_unknown_property_or_members_is_refused() {
    refused(
        &with_actor(json!({"mbox": "mailto:a@b.c", "key": "value"})),
        "actor.key",
    );
    refused(
        &with_actor(json!({"mbox": "mailto:a@b.c", "member": members()})),
        "actor.member",
    );
}

#[test]
fn an_mbox_must_be_a_mailto_iri_with_an_address() {
    accepted(&with_actor(json!({"mbox": "MAILTO:xapi@adlnet.gov"})));
    for mbox in [
        "http://should.fail.com",
        "mailto:should.fail.com",
        "xapi@adlnet.gov",
        "mailto:",
        "mailto:a b@c.d",
    ] {
        refused(&with_actor(json!({ "mbox": mbox })), "actor.mbox");
    }
}

#[test]
fn an_mbox_sha1sum_must_be_forty_hex_digits() {
    accepted(&with_actor(json!({"mbox_sha1sum": SHA1SUM.to_uppercase()})));
    refused(
        &with_actor(json!({"mbox_sha1sum": 123})),
        "actor.mbox_sha1sum",
    );
    refused(
        &with_actor(json!({"mbox_sha1sum": &SHA1SUM[1..]})),
        "actor.mbox_sha1sum",
    );
    refused(
        &with_actor(json!({"mbox_sha1sum": "should fail"})),
        "actor.mbox_sha1sum",
    );
}

#[test]
fn an_openid_must_be_a_uri() {
    refused(
        &with_actor(json!({"openid": "ab=c://should.fail.com"})),
        "actor.openid",
    );
    refused(
        &with_actor(json!({"openid": "open.id.com/testUser"})),
        "actor.openid",
    );
}

#[test]
fn an_account_needs_a_home_page_iri_and_a_name_string() {
    let account = |value: Value| with_actor(json!({ "account": value }));
    accepted(&account(
        json!({"homePage": "http://www.example.com", "name": "123456"}),
    ));
    refused(
        &account(json!({"name": "123456"})),
        "actor.account.homePage",
    );
    refused(
        &account(json!({"homePage": "http://www.example.com"})),
        "actor.account.name",
    );
    refused(
        &account(json!({"homePage": "homePage.com/testUser", "name": "1"})),
        "actor.account.homePage",
    );
    refused(
        &account(json!({"homePage": "http://www.example.com", "name": {"key": "value"}})),
        "actor.account.name",
    );
    refused(
        &account(json!({"homePage": "http://www.example.com", "name": "1", "id": "2"})),
        "actor.account.id",
    );
}

#[test]
fn an_identified_group_has_one_identifier_and_optional_members() {
    for (key, value) in identifiers() {
        accepted(&with_actor(
            json!({"objectType": "Group", key: value.clone()}),
        ));
        accepted(&with_actor(
            json!({"objectType": "Group", "name": "G", key: value, "member": members()}),
        ));
    }
    let two = json!({"objectType": "Group", "mbox": "mailto:g@example.com", "openid": "http://openid.example.org/1"});
    refused(&with_actor(two), "actor");
}

#[test]
fn an_anonymous_group_must_list_its_members() {
    accepted(&with_actor(
        json!({"objectType": "Group", "member": members()}),
    ));
    refused(
        &with_actor(json!({"objectType": "Group", "name": "G"})),
        "actor.member",
    );
    refused(
        &with_actor(json!({"objectType": "Group", "member": []})),
        "actor.member",
    );
    refused(
        &with_actor(json!({"objectType": "Group", "member": {"mbox": "mailto:a@b.c"}})),
        "actor.member",
    );
}

#[test]
fn a_group_without_object_type_is_refused() {
    refused(&with_actor(json!({"member": members()})), "actor.member");
}

#[test]
fn a_group_member_must_be_a_valid_agent() {
    let nested = json!([{"objectType": "Group", "member": members()}]);
    refused(
        &with_actor(json!({"objectType": "Group", "member": nested})),
        "actor.member[0]",
    );
    let bad = json!([{"mbox": "mailto:a@b.c"}, {"name": "no identifier"}]);
    refused(
        &with_actor(json!({"objectType": "Group", "member": bad})),
        "actor.member[1]",
    );
}

#[test]
fn an_authority_is_an_agent_or_an_anonymous_group_of_two() {
    accepted(&with(
        statement(),
        "/authority",
        json!({"mbox": "mailto:lrs@example.com"}),
    ));
    let oauth = json!({"objectType": "Group", "member": [
        {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
        {"mbox": "mailto:bob@example.com"}
    ]});
    accepted(&with(statement(), "/authority", oauth.clone()));
    let identified = with(oauth.clone(), "/mbox", json!("mailto:group@example.com"));
    refused(&with(statement(), "/authority", identified), "authority");
    let one = with(
        oauth.clone(),
        "/member",
        json!([{"mbox": "mailto:bob@example.com"}]),
    );
    refused(&with(statement(), "/authority", one), "authority.member");
    let three =
        json!([{"mbox": "mailto:a@b.c"}, {"mbox": "mailto:d@e.f"}, {"mbox": "mailto:g@h.i"}]);
    refused(
        &with(statement(), "/authority", with(oauth, "/member", three)),
        "authority.member",
    );
    refused(
        &with(statement(), "/authority", json!({"objectType": "Agent"})),
        "authority",
    );
}

#[test]
fn validate_agent_applies_the_actor_rules() {
    let agent = json!({"objectType": "Agent", "name": "Rick James",
        "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}});
    assert_eq!(validate_agent(&agent), Ok(()));
    assert_eq!(validate_agent(&json!({"mbox": "mailto:a@b.c"})), Ok(()));
    assert_eq!(
        validate_agent(&json!({"objectType": "Group", "member": members()})),
        Ok(())
    );
    let anonymous =
        validate_agent(&json!({"objectType": "Agent", "name": "Rick James"})).unwrap_err();
    assert_eq!(anonymous.path, "agent");
    assert_eq!(validate_agent(&json!("wrong")).unwrap_err().path, "agent");
    let bad_mbox = validate_agent(&json!({"mbox": "xapi@adlnet.gov"})).unwrap_err();
    assert_eq!(bad_mbox.path, "agent.mbox");
}

#[test]
fn agent_key_names_the_inverse_functional_identifier() {
    assert_eq!(
        agent_key(&json!({"mbox": "mailto:a@b.c", "name": "A"})).as_deref(),
        Some("mbox:mailto:a@b.c")
    );
    assert_eq!(
        agent_key(&json!({"mbox": "MailTo:a@b.c"})).as_deref(),
        Some("mbox:mailto:a@b.c")
    );
    assert_eq!(
        agent_key(&json!({"mbox_sha1sum": SHA1SUM.to_uppercase()})),
        Some(format!("mbox_sha1sum:{SHA1SUM}"))
    );
    assert_eq!(
        agent_key(&json!({"openid": "http://openid.example.org/12345"})).as_deref(),
        Some("openid:http://openid.example.org/12345")
    );
    let account =
        json!({"account": {"homePage": "http://www.example.com", "name": "xAPI account"}});
    assert_eq!(
        agent_key(&account).as_deref(),
        Some("account:http://www.example.com\u{1f}xAPI account")
    );
    let group = json!({"objectType": "Group", "mbox": "mailto:g@b.c", "member": members()});
    assert_eq!(agent_key(&group).as_deref(), Some("mbox:mailto:g@b.c"));
}

#[test]
fn agent_key_is_none_without_identifier() {
    assert_eq!(
        agent_key(&json!({"objectType": "Group", "member": members()})),
        None
    );
    assert_eq!(
        agent_key(&json!({"account": {"homePage": "http://www.example.com"}})),
        None
    );
    assert_eq!(agent_key(&json!("mailto:a@b.c")), None);
}

#[test]
fn agent_keys_of_accounts_cannot_collide() {
    let first = json!({"account": {"homePage": "http://example.com/a", "name": "b c"}});
    let second = json!({"account": {"homePage": "http://example.com/a b", "name": "c"}});
    assert_ne!(agent_key(&first), agent_key(&second));
}
