//! Plays the user on the sandbox's consent page: fetch the page, fill in the form as it comes
//! (default user, every account ticked), approve or deny. `tally demo` uses it, and says so;
//! tests use it to drive the link flow over real HTTP.

use anyhow::{Context as _, Result, bail};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
}

/// A browser for a scripted consent conversation: it plays the consent page at the URL it is
/// given, decides, and follows the bank's redirect back to the loopback listener.
pub fn browser(decision: Decision) -> impl Fn(&str) -> Result<()> + Send + Sync {
    move |url| {
        let http = crate::context::http_client()?;
        let back = consent(&http, url, decision)?;
        follow(&http, &back)
    }
}

/// Submit the consent form behind `authorize_url` and return where the bank redirects the
/// browser (the loopback callback URL), without following it.
pub fn consent(client: &reqwest::blocking::Client, authorize_url: &str, decision: Decision) -> Result<String> {
    consent_to(client, authorize_url, decision, None)
}

/// Like [`consent`], ticking only the bank accounts with these ids (`None`: every one).
pub fn consent_to(
    client: &reqwest::blocking::Client,
    authorize_url: &str,
    decision: Decision,
    accounts: Option<&[&str]>,
) -> Result<String> {
    let page = client.get(authorize_url).send().context("cannot load the consent page")?;
    if !page.status().is_success() {
        // The bank refused the request itself and may redirect with an error.
        if let Some(loc) = page.headers().get("location") {
            return Ok(loc.to_str()?.to_string());
        }
        bail!("the consent page answered {}", page.status());
    }
    let html = page.text()?;
    let base = url::Url::parse(authorize_url)?;
    let mut form: Vec<(String, String)> =
        inputs(&html).into_iter().filter(|i| ticked(i, accounts)).map(|i| (i.name, i.value)).collect();
    form.push(("decision".into(), if decision == Decision::Approve { "approve" } else { "deny" }.into()));
    let reply = client.post(base.join("/authorize")?).form(&form).send().context("cannot submit the consent form")?;
    let Some(location) = reply.headers().get("location") else {
        bail!("the consent form answered {} without a redirect", reply.status());
    };
    Ok(location.to_str()?.to_string())
}

/// Follow the bank's redirect to the loopback listener, as a browser would.
pub fn follow(client: &reqwest::blocking::Client, location: &str) -> Result<()> {
    client.get(location).send().context("cannot reach the loopback callback")?;
    Ok(())
}

/// Whether the form sends this input: every field, and the checkboxes as chosen.
fn ticked(i: &Input, accounts: Option<&[&str]>) -> bool {
    match accounts {
        _ if i.kind != "checkbox" => true,
        Some(ids) if i.name == "account" => ids.contains(&i.value.as_str()),
        _ => i.checked,
    }
}

#[derive(Debug)]
struct Input {
    kind: String,
    name: String,
    value: String,
    checked: bool,
}

/// The `<input>` tags of our own consent page (a full HTML parser is not needed for it).
fn inputs(html: &str) -> Vec<Input> {
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            let attr = |name: &str| -> Option<String> {
                let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
                let end = start + tag[start..].find('"')?;
                Some(
                    tag[start..end]
                        .replace("&quot;", "\"")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&"),
                )
            };
            Some(Input {
                kind: attr("type").unwrap_or_else(|| "text".into()),
                name: attr("name")?,
                value: attr("value").unwrap_or_default(),
                checked: tag.contains(" checked"),
            })
        })
        .collect()
}
