//! The Credential Access Boundary: which resources a downscoped token may
//! reach, with which permissions, under which conditions.

use serde::Serialize;

use crate::error::config::ConfigError;

/// The most rules one boundary may hold (STS's limit).
pub const MAX_ACCESS_BOUNDARY_RULES: usize = 10;

/// Up to [`MAX_ACCESS_BOUNDARY_RULES`] rules; a downscoped token can do
/// what some rule allows and nothing else.
///
/// ```
/// use oauth2_sansio::downscoped::{AccessBoundaryRule, AvailabilityCondition, CredentialAccessBoundary};
///
/// let boundary = CredentialAccessBoundary::new([AccessBoundaryRule::new(
///     "//storage.googleapis.com/projects/_/buckets/reports",
///     ["inRole:roles/storage.objectViewer"],
/// )
/// .with_condition(AvailabilityCondition::new(
///     "resource.name.startsWith('projects/_/buckets/reports/objects/2026')",
/// ))])?;
/// assert_eq!(boundary.rules().len(), 1);
/// # Ok::<(), oauth2_sansio::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialAccessBoundary {
    #[serde(rename = "accessBoundary")]
    access_boundary: Rules,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Rules {
    #[serde(rename = "accessBoundaryRules")]
    rules: Vec<AccessBoundaryRule>,
}

/// One resource and the permissions available on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessBoundaryRule {
    #[serde(rename = "availablePermissions")]
    available_permissions: Vec<String>,
    #[serde(rename = "availableResource")]
    available_resource: String,
    #[serde(
        rename = "availabilityCondition",
        skip_serializing_if = "Option::is_none"
    )]
    availability_condition: Option<AvailabilityCondition>,
}

/// A CEL condition further limiting a rule (to object name prefixes, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailabilityCondition {
    expression: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl CredentialAccessBoundary {
    /// A boundary of `rules`: one to [`MAX_ACCESS_BOUNDARY_RULES`], each
    /// with a resource, at least one permission, every permission a role
    /// (`inRole:roles/...`) and any condition's expression non-empty.
    pub fn new(rules: impl IntoIterator<Item = AccessBoundaryRule>) -> Result<Self, ConfigError> {
        let rules: Vec<AccessBoundaryRule> = rules.into_iter().collect();
        let invalid = |reason| Err(ConfigError::InvalidAccessBoundary { reason });
        if rules.is_empty() {
            return invalid("has no rule");
        }
        if rules.len() > MAX_ACCESS_BOUNDARY_RULES {
            return invalid("has more than 10 rules");
        }
        for rule in &rules {
            if rule.available_resource.is_empty() {
                return invalid("has a rule without a resource");
            }
            if rule.available_permissions.is_empty() {
                return invalid("has a rule without permissions");
            }
            if !rule
                .available_permissions
                .iter()
                .all(|p| p.starts_with("inRole:"))
            {
                return invalid("has a permission not of the form inRole:ROLE");
            }
            if rule
                .availability_condition
                .as_ref()
                .is_some_and(|c| c.expression.is_empty())
            {
                return invalid("has a condition without an expression");
            }
        }
        Ok(Self {
            access_boundary: Rules { rules },
        })
    }

    /// The rules.
    pub fn rules(&self) -> &[AccessBoundaryRule] {
        &self.access_boundary.rules
    }
}

impl AccessBoundaryRule {
    /// `permissions` (roles, `inRole:roles/storage.objectViewer`) on
    /// `resource` (a full resource name,
    /// `//storage.googleapis.com/projects/_/buckets/NAME`).
    pub fn new(
        resource: impl Into<String>,
        permissions: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            available_permissions: permissions.into_iter().map(Into::into).collect(),
            available_resource: resource.into(),
            availability_condition: None,
        }
    }

    /// Only where `condition` holds.
    pub fn with_condition(mut self, condition: AvailabilityCondition) -> Self {
        self.availability_condition = Some(condition);
        self
    }
}

impl AvailabilityCondition {
    /// The CEL `expression`.
    pub fn new(expression: impl Into<String>) -> Self {
        Self {
            expression: expression.into(),
            title: None,
            description: None,
        }
    }

    /// A short title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// A longer description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}
