//! What the institution endpoints read and answer, with their OpenAPI schemas.

use chrono::{DateTime, Utc};
use help_lms_domain::ValidationErrors;
use help_lms_domain::enrolment::InstitutionKind;
use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, Role, Title};
use help_lms_persistence::institutions::{ApiClient, Institution};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::me::UserDto;

#[derive(Debug, Serialize, ToSchema)]
pub struct InstitutionDto {
    pub id: Uuid,
    pub name: String,
    /// ISO 3166-1 alpha-2 code of a Council of Europe member state, or `other`
    #[schema(value_type = help_lms_domain::values::Country)]
    pub country: String,
    /// judicial_training, prosecution_training, prison_probation_training, bar_association, university, other
    #[schema(value_type = help_lms_domain::enrolment::InstitutionKind)]
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

impl From<Institution> for InstitutionDto {
    fn from(i: Institution) -> Self {
        InstitutionDto {
            id: i.id,
            name: i.name,
            country: i.country.to_string(),
            kind: i.kind.to_string(),
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstitution {
    #[schema(value_type = help_lms_domain::values::Title)]
    pub name: String,
    /// ISO 3166-1 alpha-2 code of a Council of Europe member state, in capitals (GR or EL
    /// for Greece), or `other`
    #[schema(value_type = help_lms_domain::values::Country)]
    pub country: String,
    #[schema(value_type = help_lms_domain::enrolment::InstitutionKind)]
    pub kind: String,
}

impl NewInstitution {
    /// Every field parsed, or every wrong one.
    pub fn parse(&self) -> Result<(Title, Country, InstitutionKind), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", Title::parse(&self.name));
        let country = errors.check("country", Country::parse(&self.country));
        let kind = errors.check("kind", InstitutionKind::parse(&self.kind));
        match (name, country, kind) {
            (Some(n), Some(c), Some(k)) => Ok((n, c, k)),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[schema(value_type = help_lms_domain::values::Email)]
    pub email: String,
    #[schema(value_type = help_lms_domain::values::PersonName)]
    pub name: String,
    /// learner, tutor or nti_manager (admins are created with `help-lms admin create`)
    #[schema(value_type = help_lms_domain::values::Role)]
    pub role: String,
    /// Default `other`.
    #[schema(value_type = Option<help_lms_domain::values::Profession>)]
    pub profession: Option<String>,
    /// Default: the institution's country. In capitals (GR or EL for Greece).
    #[schema(value_type = Option<help_lms_domain::values::Country>)]
    pub country: Option<String>,
    /// Preferred language; default `en`.
    #[schema(value_type = Option<help_lms_domain::values::Language>)]
    pub language: Option<String>,
}

/// A staff invitation with every field parsed.
pub struct StaffFields {
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    pub profession: Profession,
    pub country: Country,
    pub language: Language,
}

impl NewStaff {
    /// Every field parsed (absent ones defaulted), or every wrong one.
    pub fn parse(&self, institution_country: Country) -> Result<StaffFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let email = errors.check("email", Email::parse(&self.email));
        let name = errors.check("name", PersonName::parse(&self.name));
        let role = errors.check("role", Role::parse(&self.role));
        let profession = match self.profession.as_deref() {
            Some(p) => errors.check("profession", Profession::parse(p)),
            None => Some(Profession::Other),
        };
        let country = match self.country.as_deref() {
            Some(c) => errors.check("country", Country::parse(c)),
            None => Some(institution_country),
        };
        let language = match self.language.as_deref() {
            Some(l) => errors.check("language", Language::parse(l)),
            None => Some(Language::En),
        };
        match (email, name, role, profession, country, language) {
            (
                Some(email),
                Some(name),
                Some(role),
                Some(profession),
                Some(country),
                Some(language),
            ) => Ok(StaffFields {
                email,
                name,
                role,
                profession,
                country,
                language,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub user: UserDto,
    /// Only with `delivery=links`: the page that activates the account (valid 30 days,
    /// once), to deliver to the person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_url: Option<String>,
    /// Only with `delivery=links`: the link's single-use token, for `POST /auth/activate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
}

impl Invitation {
    /// The answer for `user`: with its activation link when `links` says where it leads.
    pub fn new(user: UserDto, token: &str, links: Option<&crate::mail::Links>) -> Invitation {
        Invitation {
            user,
            activation_url: links.map(|l| l.activate(token)),
            activation_token: links.map(|_| token.to_owned()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientDto {
    /// The `client_id` for `POST /auth/token`.
    pub id: Uuid,
    pub institution_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiClient> for ApiClientDto {
    fn from(c: ApiClient) -> Self {
        ApiClientDto {
            id: c.id,
            institution_id: c.institution_id,
            name: c.name,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
            last_used_at: c.last_used_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiClientDto {
    #[serde(flatten)]
    pub client: ApiClientDto,
    /// Shown once, stored only as a hash.
    pub client_secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiClient {
    #[schema(value_type = help_lms_domain::values::Title)]
    pub name: String,
}
