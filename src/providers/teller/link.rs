//! Enrollment through Teller Connect, a JavaScript widget that runs only in a web page: tally
//! serves a one-page site on 127.0.0.1 (an ephemeral port, a random path, one answer, then
//! closed: `Conversation::page`) that loads Connect with the user's application id and posts
//! the enrollment's access token back. A relink passes the enrollment's id, so Connect repairs
//! that enrollment instead of making a new one.

use anyhow::Result;

use crate::consent::{Conversation, Listener};
use crate::error::UserError;
use crate::providers::LinkOptions;
use crate::providers::grants::{ACCOUNTS_BALANCES_TRANSACTIONS, Grants, Validity};
use crate::secrets::random_hex;

const PAGE: &str = include_str!("connect.html");

/// What Connect handed back.
#[derive(Debug)]
pub struct Enrolled {
    pub access_token: String,
    pub enrollment_id: String,
    pub institution: Option<String>,
}

/// Ids go into the page's script: only the characters Teller's ids are made of.
fn plain_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The page for `application_id` in `environment`, repairing `enrollment_id` when given.
pub fn page(application_id: &str, environment: &str, enrollment_id: Option<&str>) -> String {
    let enrollment =
        enrollment_id.filter(|e| plain_id(e)).map(|e| format!("\n    enrollmentId: \"{e}\",")).unwrap_or_default();
    PAGE.replace("{{APPLICATION_ID}}", application_id)
        .replace("{{ENVIRONMENT}}", environment)
        .replace("{{ENROLLMENT}}", &enrollment)
}

/// Check an application id before it goes into a page.
pub fn check_application_id(id: Option<&str>) -> Result<&str> {
    match id {
        Some(id) if plain_id(id) => Ok(id),
        Some(id) => Err(UserError::usage(format!("{id:?} is not a Teller application id"))
            .hint("copy it from the Application Settings page of the Teller dashboard (it starts with app_)")
            .into()),
        None => Err(UserError::usage("linking Teller needs your application id")
            .hint(
                "pass --application-id app_... (from the Application Settings page of the Teller dashboard), \
                 or set [providers.teller] application_id",
            )
            .into()),
    }
}

/// Serve Connect's page and wait for the enrollment.
pub fn enroll(
    conversation: &mut dyn Conversation,
    options: &LinkOptions,
    application_id: &str,
    environment: &str,
    enrollment_id: Option<&str>,
) -> Result<Enrolled> {
    let listener = Listener::bind(&format!("/teller/{}", random_hex()?))?;
    // Connect's page names no products: the application's settings decide, and tally only reads.
    Grants::new("Teller", ACCOUNTS_BALANCES_TRANSACTIONS, &[], Validity::UntilRevoked { note: None })
        .tell(conversation);
    conversation.say(
        "Teller Connect runs in a page tally serves on this computer only: open it in a browser here \
         (over SSH, forward the port first) and link your bank.",
    );
    let form = conversation.page(&page(application_id, environment, enrollment_id), listener, options.timeout)?;
    let access_token = form.get("access_token").map(str::trim).unwrap_or("");
    if access_token.is_empty() {
        return Err(UserError::failure("the page sent no enrollment; nothing was linked")
            .hint("run `tally link teller` again and finish in Teller Connect")
            .into());
    }
    Ok(Enrolled {
        access_token: access_token.to_string(),
        enrollment_id: form.get("enrollment_id").unwrap_or("").trim().to_string(),
        institution: form.get("institution").map(super::wire::sanitize).filter(|i| !i.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_connect_with_the_ids_and_nothing_else_gets_in() {
        let html = page("app_ou4r1rmeb6j3tmk4fu000", "development", Some("enr_p0lv"));
        assert!(html.contains("https://cdn.teller.io/connect/connect.js"));
        assert!(html.contains(r#"applicationId: "app_ou4r1rmeb6j3tmk4fu000""#));
        assert!(html.contains(r#"environment: "development""#) && html.contains(r#"enrollmentId: "enr_p0lv""#));
        assert!(!page("app_1", "sandbox", Some("x\";alert(1)//")).contains("alert"));
        assert!(check_application_id(Some("app_1\"</script>")).is_err());
        assert!(check_application_id(None).is_err());
        assert_eq!(check_application_id(Some("app_1")).unwrap(), "app_1");
    }
}
