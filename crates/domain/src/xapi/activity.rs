//! Activities and their definitions, interaction activities included.

use serde_json::Value;

use super::fields::{Fields, index};
use super::validate::Invalid;

const ACTIVITY_KEYS: [&str; 3] = ["objectType", "id", "definition"];
const DEFINITION_KEYS: [&str; 12] = [
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    "choices",
    "scale",
    "source",
    "target",
    "steps",
];
const INTERACTION_TYPES: [&str; 10] = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
];
const COMPONENT_LISTS: [&str; 5] = ["choices", "scale", "source", "target", "steps"];

/// Validates an Activity at `path`: `objectType` (optional) must be `"Activity"`, `id` is a
/// required IRI, `definition` optional.
pub(crate) fn activity(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "an Activity", &ACTIVITY_KEYS)?;
    if let Some(kind) = fields.object_type()?
        && kind != "Activity"
    {
        return Err(Invalid::new(
            fields.at("objectType"),
            "must be \"Activity\"",
        ));
    }
    fields.required_iri("id")?;
    match fields.get("definition") {
        Some(definition_value) => definition(definition_value, &fields.at("definition")),
        None => Ok(()),
    }
}

/// The interaction component lists an interaction type uses.
fn component_lists(interaction_type: &str) -> &'static [&'static str] {
    match interaction_type {
        "choice" | "sequencing" => &["choices"],
        "likert" => &["scale"],
        "matching" => &["source", "target"],
        "performance" => &["steps"],
        _ => &[],
    }
}

/// Validates an Activity definition: language maps for `name` and `description`, IRIs for
/// `type` and `moreInfo`, extensions, and the interaction properties, which need an
/// `interactionType` and must fit it.
fn definition(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "an Activity definition", &DEFINITION_KEYS)?;
    fields.language_map("name")?;
    fields.language_map("description")?;
    fields.iri("type")?;
    fields.iri("moreInfo")?;
    fields.extensions("extensions")?;
    let interaction_type = fields.string("interactionType")?;
    if let Some(kind) = interaction_type
        && !INTERACTION_TYPES.contains(&kind)
    {
        return Err(Invalid::new(
            fields.at("interactionType"),
            format!("must be one of {}", INTERACTION_TYPES.join(", ")),
        ));
    }
    if let Some(patterns) = fields.array("correctResponsesPattern")? {
        if interaction_type.is_none() {
            return Err(Invalid::new(
                fields.at("correctResponsesPattern"),
                "is only allowed with an interactionType",
            ));
        }
        let pattern_path = fields.at("correctResponsesPattern");
        if let Some(i) = patterns.iter().position(|p| !p.is_string()) {
            return Err(Invalid::new(index(&pattern_path, i), "must be a string"));
        }
    }
    for list in COMPONENT_LISTS {
        let Some(items) = fields.array(list)? else {
            continue;
        };
        match interaction_type {
            None => {
                return Err(Invalid::new(
                    fields.at(list),
                    "is only allowed with an interactionType",
                ));
            }
            Some(kind) if !component_lists(kind).contains(&list) => {
                return Err(Invalid::new(
                    fields.at(list),
                    format!("is not used by the interactionType \"{kind}\""),
                ));
            }
            Some(_) => components(items, &fields.at(list))?,
        }
    }
    Ok(())
}

/// Validates a list of interaction components: each has a string `id`, distinct within the
/// list, and an optional `description` language map.
fn components(items: &[Value], path: &str) -> Result<(), Invalid> {
    let mut ids: Vec<&str> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = index(path, i);
        let fields = Fields::new(
            item,
            &item_path,
            "an interaction component",
            &["id", "description"],
        )?;
        let id = fields.required_string("id")?;
        fields.language_map("description")?;
        if ids.contains(&id) {
            return Err(Invalid::new(
                fields.at("id"),
                "must differ from the other ids of the list",
            ));
        }
        ids.push(id);
    }
    Ok(())
}
