//! Entity names: `type.id`, e.g. `client.admin`.

use std::fmt;

use crate::error::{Error, Result};

/// The kinds of Ceph entities, with their wire values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityType {
    Mon = 0x01,
    Mds = 0x02,
    Osd = 0x04,
    Client = 0x08,
    Mgr = 0x10,
    Auth = 0x20,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Mon => "mon",
            EntityType::Mds => "mds",
            EntityType::Osd => "osd",
            EntityType::Client => "client",
            EntityType::Mgr => "mgr",
            EntityType::Auth => "auth",
        }
    }

    fn parse(s: &str) -> Option<EntityType> {
        Some(match s {
            "mon" => EntityType::Mon,
            "mds" => EntityType::Mds,
            "osd" => EntityType::Osd,
            "client" => EntityType::Client,
            "mgr" => EntityType::Mgr,
            "auth" => EntityType::Auth,
            _ => return None,
        })
    }
}

/// An entity's name: its type and id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntityName {
    pub kind: EntityType,
    pub id: String,
}

impl EntityName {
    /// `client.<id>`.
    pub fn client(id: &str) -> EntityName {
        EntityName { kind: EntityType::Client, id: id.to_string() }
    }

    /// Parses `type.id` as upstream does: the type must be known, the id may be empty.
    pub fn parse(s: &str) -> Result<EntityName> {
        let (kind, id) = s.split_once('.').ok_or_else(|| Error::invalid(format!("bad entity name '{s}'")))?;
        let kind = EntityType::parse(kind).ok_or_else(|| Error::invalid(format!("bad entity type in '{s}'")))?;
        Ok(EntityName { kind, id: id.to_string() })
    }
}

impl fmt::Display for EntityName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind.as_str(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_type_dot_id() {
        assert_eq!(EntityName::parse("client.admin").unwrap(), EntityName::client("admin"));
        assert_eq!(EntityName::parse("client.a.b").unwrap().id, "a.b");
        assert_eq!(EntityName::parse("osd.3").unwrap().kind, EntityType::Osd);
        assert!(EntityName::parse("admin").is_err());
        assert!(EntityName::parse("bogus.x").is_err());
        assert_eq!(EntityName::client("x").to_string(), "client.x");
    }
}
