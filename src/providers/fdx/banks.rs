//! `[fdx.NAME]` config sections: FDX banks by name, so `tally link fdx --bank NAME` needs no
//! URLs on the command line and a user adds a bank without a new tally build. Each section
//! names the bank's `issuer`, `client_id`, `api` and `scopes` (beyond `openid offline_access`),
//! and may give the `name` tally shows. Reading the raw sections is all this does; which values
//! win over which is `Settings::bank`'s.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::config::ProviderConfig;
use crate::error::UserError;

/// The keys a `[fdx.NAME]` section may have (`scope` too, as `[providers.fdx]` spells it).
const KEYS: &[&str] = &["issuer", "client_id", "api", "scopes", "scope", "name"];

/// One `[fdx.NAME]` section.
#[derive(Debug, Clone, Default)]
pub struct Named {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub api: Option<String>,
    pub scopes: Option<String>,
    pub name: Option<String>,
}

/// Every `[fdx.NAME]` section, by NAME; a usage error for an unknown key or a non-string.
pub fn load(config: &ProviderConfig) -> Result<BTreeMap<String, Named>> {
    let mut banks = BTreeMap::new();
    for (bank, table) in config.named_sections() {
        let mut named = Named::default();
        for (key, value) in table {
            let invalid = |what: String, hint: String| -> anyhow::Error {
                UserError::usage(format!("the config file is not valid: {what} in [fdx.{bank}]")).hint(hint).into()
            };
            if !KEYS.contains(&key.as_str()) {
                return Err(invalid(
                    format!("unknown key `{key}`"),
                    "an [fdx.NAME] section knows: issuer, client_id, api, scopes, name".into(),
                ));
            }
            let Some(text) = value.as_str() else {
                return Err(invalid(format!("`{key}` must be a string"), "put the value in quotes".into()));
            };
            let text = Some(text.trim_end_matches('/').to_string());
            match key.as_str() {
                "issuer" => named.issuer = text,
                "client_id" => named.client_id = text,
                "api" => named.api = text,
                "scopes" | "scope" => named.scopes = text,
                _ => named.name = text,
            }
        }
        banks.insert(bank.clone(), named);
    }
    Ok(banks)
}

/// The usage error for `--bank NAME` when no `[fdx.NAME]` exists: it lists the ones that do.
pub fn unknown(name: &str, banks: &BTreeMap<String, Named>) -> anyhow::Error {
    let add = format!("add an [fdx.{name}] section with issuer, client_id, api and scopes to the config file");
    let hint = if banks.is_empty() {
        format!("no [fdx.NAME] banks are configured; {add}")
    } else {
        let names: Vec<&str> = banks.keys().map(String::as_str).collect();
        format!("the configured FDX banks are: {}; or {add}", names.join(", "))
    };
    UserError::usage(format!("no FDX bank named {name:?} in the config")).hint(hint).into()
}
